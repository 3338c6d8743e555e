import { readFileSync } from 'node:fs';
import { fold } from './fold.js';

/**
 * The first-name lexicon (first-names.txt, beside this file), folded for look-up.
 * Compound names ("Jean-Claude") are first names when every part is one.
 */
function load(): Set<string> {
  const raw = readFileSync(new URL('./first-names.txt', import.meta.url), 'utf8');
  const set = new Set<string>();
  for (const line of raw.split('\n')) {
    if (line.startsWith('#')) continue;
    for (const w of line.split(/\s+/)) if (w) set.add(fold(w));
  }
  return set;
}

/** Loaded at import, so that no scan pays for it inside its time budget. */
const names: Set<string> = load();

export function isFirstName(word: string): boolean {
  const f = fold(word);
  if (names.has(f)) return true;
  const parts = f.split('-');
  return parts.length > 1 && parts.every((p) => names.has(p));
}

/** First names that are also ordinary words: they count only with a surname in capitals or a cue. */
export const WEAK_FIRST_NAMES = new Set(
  'mai avril juste constant prudence victoire colombe fleur perle prune lilas reine grace merveille prince princesse ange christ loup ocean eden can long van hong nam tan kim iris brune line joy lei tao alpha karen lourdes florence nancy mercedes dolores celeste fidele desire aime lou mia nina'.split(
    ' ',
  ),
);
