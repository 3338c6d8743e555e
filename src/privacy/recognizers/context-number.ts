import { cueBefore, isAmount, matches } from './numeric.js';
import type { Candidate, PiiType, ScanContext } from './types.js';

/**
 * Numbers that are personal data only when introduced by a cue word (numéro allocataire, passeport,
 * carte d'identité). The value must sit within `distance` characters after the cue and be the first
 * value of its shape after it, so a serial number further in the sentence is not taken.
 */
export function findAfterCue(
  ctx: ScanContext,
  value: RegExp,
  cue: RegExp,
  distance: number,
  type: PiiType,
): Candidate[] {
  const out: Candidate[] = [];
  let previousEnd = 0;
  for (const m of matches(ctx, value)) {
    const start = m.index;
    const end = start + m[0].length;
    const found = cueBefore(ctx.text, start, cue, distance);
    const firstAfterCue = found !== null && found.index + found[0].length > previousEnd;
    previousEnd = end;
    if (!firstAfterCue || isAmount(ctx.text, end)) continue;
    out.push({ start, end, type });
  }
  return out;
}
