import { analyze, fold, words } from '../analyze/french.js';
import { EXPANSIONS } from './expansions.js';

const MAX_QUERY_CHARS = 2000;
const MAX_TERMS = 48;

interface Expansion {
  key: string[];
  terms: string[];
}

/** Expansions by their first word, longest key first. */
const BY_FIRST_WORD = new Map<string, Expansion[]>();
for (const [k, v] of Object.entries(EXPANSIONS)) {
  const key = words(k).map(fold);
  if (key.length === 0) continue;
  const list = BY_FIRST_WORD.get(key[0]) ?? [];
  list.push({ key, terms: analyze(v) });
  list.sort((a, b) => b.key.length - a.key.length);
  BY_FIRST_WORD.set(key[0], list);
}

/** Analyzed terms of the counter vocabulary found in a text (longest match at each position). */
export function expansionTerms(text: string): string[] {
  const folded = words(text).map(fold);
  const out: string[] = [];
  for (let i = 0; i < folded.length;) {
    const match = BY_FIRST_WORD.get(folded[i])?.find(({ key }) => key.every((w, j) => folded[i + j] === w));
    if (match) {
      out.push(...match.terms);
      i += match.key.length;
    } else {
      i++;
    }
  }
  return out;
}

/**
 * Turns a question into analyzed query terms: the question's own terms plus the expansions of
 * any counter vocabulary it contains. Deduplicated, bounded in length.
 */
export function queryTerms(question: string): string[] {
  const text = question.slice(0, MAX_QUERY_CHARS);
  return [...new Set([...analyze(text), ...expansionTerms(text)])].slice(0, MAX_TERMS);
}
