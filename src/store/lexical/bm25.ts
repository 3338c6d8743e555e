/**
 * BM25 exactly as SQLite FTS5's `bm25(chunks_fts, wTitle, wHeadings, wBody)` computes it (see
 * fts5_aux.c, fts5Bm25Function): k1 = 1.2, b = 0.75; idf(t) = ln((N − n_t + 0.5) / (n_t + 0.5)),
 * 1e-6 when ≤ 0; f = Σ_columns w_c·tf_c; D = tokens of the row (all columns). One deliberate
 * difference: N, avgdl and n_t are counted over the collections searched (the search scope), not
 * the whole index, so one organisation's private documents never move another's scores (FTS5's
 * own bm25() counts the whole table; the SQLite adapter therefore scores in JS from FTS5's
 * instances, see sqlite/search.ts). Shared by the PostgreSQL adapter (which stores postings to reproduce it in SQL) and
 * by the in-memory index (which reproduces it in JavaScript), so every path ranks alike.
 */
import type { LexicalFields } from '../spec.js';

export const K1 = 1.2;
export const B = 0.75;

/** Token characters of FTS5's unicode61 tokenizer (categories L*, N*, Co), lower-cased like it. */
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/**
 * Longer terms cannot sit in a PostgreSQL B-tree entry (about 2.7 kB): they still count in the chunk
 * length but are not indexed there. Our analyzer never produces such terms from real text.
 */
export const MAX_TERM_BYTES = 2000;

export function tooLong(term: string): boolean {
  return term.length * 4 > MAX_TERM_BYTES && Buffer.byteLength(term) > MAX_TERM_BYTES;
}

/** Tokens of a chunk over its three fields (FTS5's xColumnSize(-1)). */
export function lexicalLength(fields: LexicalFields): number {
  return tokenize(fields.title).length + tokenize(fields.headings).length + tokenize(fields.body).length;
}

export interface Postings {
  /** Total tokens of the chunk over the three fields (FTS5's xColumnSize(-1)). */
  length: number;
  /** term → [tf title, tf headings, tf body] */
  terms: Map<string, [number, number, number]>;
}

export function postingsOf(fields: LexicalFields): Postings {
  const terms = new Map<string, [number, number, number]>();
  let length = 0;
  [fields.title, fields.headings, fields.body].forEach((text, col) => {
    for (const t of tokenize(text)) {
      length++;
      if (tooLong(t)) continue;
      let tf = terms.get(t);
      if (!tf) terms.set(t, (tf = [0, 0, 0]));
      tf[col]++;
    }
  });
  return { length, terms };
}

/**
 * FTS5 phrases of a query: the SQLite adapter de-duplicates the raw terms and quotes each one;
 * FTS5 then tokenizes every quoted string. Single-token phrases are kept (duplicates after
 * lower-casing included: FTS5 scores them twice); multi-token phrases never come out of our analyzer.
 */
export function queryPhrases(terms: string[]): string[] {
  const out: string[] = [];
  for (const raw of new Set(terms.filter((t) => t.length > 0))) {
    const tokens = tokenize(raw);
    if (tokens.length === 1 && !tooLong(tokens[0])) out.push(tokens[0]);
  }
  return out;
}

/** FTS5's idf of a phrase found in `hits` of `rows` rows. */
export function idf(rows: number, hits: number): number {
  const v = Math.log((rows - hits + 0.5) / (hits + 0.5));
  return v <= 0 ? 1e-6 : v;
}

/**
 * One term's share of a chunk's score, `f` being the weighted frequency Σ w_c·tf_c: every JS path
 * computes it with this same order of operations (the PostgreSQL SQL too), so scores agree to ~1e-14.
 */
export function termScore(idfOfTerm: number, f: number, length: number, avgdl: number): number {
  return idfOfTerm * termShare(f, length, avgdl);
}

/** `termScore` before the idf (the same double: the idf multiplies it last). */
export function termShare(f: number, length: number, avgdl: number): number {
  return (f * (K1 + 1.0)) / (f + K1 * (1 - B + (B * length) / avgdl));
}
