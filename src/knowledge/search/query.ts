import { analyze, fold, words } from '../analyze/french.js';
import { EXPANSIONS } from './expansions.js';

const MAX_QUERY_CHARS = 2000;
const MAX_TERMS = 48;

const EXPANSION_ENTRIES = Object.entries(EXPANSIONS).map(([k, v]) => ({
  key: k.split(' '),
  terms: analyze(v),
}));

/**
 * Turns a question into analyzed query terms: the question's own terms plus the expansions of
 * any counter vocabulary it contains. Deduplicated, bounded in length.
 */
export function queryTerms(question: string): string[] {
  const text = question.slice(0, MAX_QUERY_CHARS);
  const own = analyze(text);
  const folded = words(text).map(fold);
  const extra: string[] = [];
  for (const { key, terms } of EXPANSION_ENTRIES) {
    for (let i = 0; i + key.length <= folded.length; i++) {
      if (key.every((k, j) => folded[i + j] === k)) {
        extra.push(...terms);
        break;
      }
    }
  }
  return [...new Set([...own, ...extra])].slice(0, MAX_TERMS);
}
