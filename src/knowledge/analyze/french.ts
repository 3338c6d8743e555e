/**
 * French text analysis shared by indexing and querying: case and accent folding, elisions
 * (l', d', qu'…), stop words, Snowball French stemming of the folded word. Both sides of the index must use exactly
 * this function, so any change here requires a re-index (bump ANALYZER_VERSION).
 */
import { createRequire } from 'node:module';
import { FRENCH_STOP_WORDS } from './stopwords.js';

const require = createRequire(import.meta.url);
const snowball = require('snowball-stemmers') as { newStemmer(lang: string): { stem(w: string): string } };
const stemmer = snowball.newStemmer('french');

export const ANALYZER_VERSION = '3';

const ELISION = /^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’]/;
const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const MAX_STEM_CACHE = 200_000;
const stemCache = new Map<string, string>();

/** Lower-cases and removes diacritics (é → e, œ → oe). */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

/**
 * Stems one lower-case word. The word is folded first, then stemmed: people at a counter often
 * type without accents ("activite", "recu"), and Snowball stems "activité" and "activite"
 * differently; stemming the folded form makes both spellings meet on the same term. A folded
 * "-ee(s)" ending is read as "-e(s)", so that "séparée", "séparé" and "séparés" meet too.
 */
export function stemWord(word: string): string {
  const cached = stemCache.get(word);
  if (cached !== undefined) return cached;
  let folded = fold(word);
  // Snowball strips the "-ée" of a feminine past participle, not the "-ee" left once folded
  // ("déclarée" → `declare` but "déclaré" → `declar`): the folded ending is put back to "-e(s)".
  if (folded.length > 4) folded = folded.replace(/ee(s?)$/, 'e$1');
  let stem: string;
  if (/\d/.test(folded) || folded.length <= 3) stem = folded;
  else stem = stemmer.stem(folded);
  if (stemCache.size < MAX_STEM_CACHE) stemCache.set(word, stem);
  return stem;
}

/** Raw word tokens of a text: lower case, elisions removed, accents kept. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(TOKEN)) {
    let w = m[0];
    const el = ELISION.exec(w);
    if (el) w = w.slice(el[0].length);
    w = w.replace(/['’]/g, '');
    if (w) out.push(w);
  }
  return out;
}

/** Analyzed terms of a text: stop words removed, stemmed and folded. Order and duplicates kept. */
export function analyze(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    const folded = fold(w);
    if (FRENCH_STOP_WORDS.has(folded)) continue;
    if (folded.length < 2 && !/\d/.test(folded)) continue;
    out.push(stemWord(w));
  }
  return out;
}
