import { staleCaveat } from '../knowledge/freshness.js';
import { citedIndexes, type Source } from './sources.js';

/**
 * Appends the one-line caveat of an answer resting on stale official sources: among the national
 * sources it cites (all of them when it cites none by number), the oldest stale one is named.
 */
export function withStaleCaveat(
  text: string,
  sources: Pick<Source, 'index' | 'date' | 'stale' | 'local'>[],
): string {
  const cited = citedIndexes(text, sources.length);
  const used = sources.filter((s) => !s.local && (cited.size === 0 || cited.has(s.index)));
  const caveat = staleCaveat(used);
  return caveat ? `${text}\n\n⚠ ${caveat}` : text;
}
