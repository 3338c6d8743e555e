import { fold } from '../lexicon/fold.js';
import { NOT_NAMES, PARTICLES, TITLES } from '../lexicon/words.js';

export type TokenKind = 'title' | 'initial' | 'upper' | 'cap' | 'particle' | 'lower';

export interface Token {
  start: number;
  end: number;
  text: string;
  folded: string;
  kind: TokenKind;
  /** Characters between the previous token's end and this token's start. */
  gapBefore: string;
}

/** Words ("Jean-Claude", "N'Diaye", "d'Eau"), or a capital followed by a dot (initial / "M."). */
const WORD_RE = /\p{Lu}\.(?=[\s,;:)]|$)|\p{L}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*){0,4}\.?/gu;
const ELIDED = /^[LlDdJjQqSsCcMmNnTt]['’]\p{Ll}/u;

function kindOf(word: string, folded: string): TokenKind {
  if (TITLES.has(folded)) return 'title';
  if (/^\p{Lu}\.$/u.test(word)) return 'initial';
  if (
    PARTICLES.has(folded) &&
    (/^\p{Ll}/u.test(word) ||
      /^(?:Le|La|Van|Von|Ben|Da|De|Di|Del|El|Al|Dos|LE|LA|DA|DE|DI|BEN|VAN|EL|AL|DOS)$/.test(word))
  )
    return 'particle';
  if (ELIDED.test(word)) return 'lower';
  // "D'ORNANO", "d'Ornano": an elided particle glued to a surname.
  if (/^[dD]['’]\p{Lu}/u.test(word)) return /\p{Ll}/u.test(word.slice(2)) ? 'cap' : 'upper';
  if (/^\p{Lu}[\p{Lu}'’-]+$/u.test(word)) return 'upper';
  if (/^\p{Lu}/u.test(word) && /\p{Ll}/u.test(word)) return 'cap';
  return 'lower';
}

/** Splits text into word tokens, keeping a trailing dot only on titles and initials. */
export function tokenize(text: string, budgetCheck: () => boolean): Token[] {
  const out: Token[] = [];
  let prevEnd = 0;
  WORD_RE.lastIndex = 0;
  for (let m = WORD_RE.exec(text); m !== null; m = WORD_RE.exec(text)) {
    if (out.length % 256 === 255 && budgetCheck()) break;
    let word = m[0];
    if (word.endsWith('.') && word.length > 2) {
      const bare = fold(word);
      if (!TITLES.has(bare)) word = word.slice(0, -1);
    }
    const start = m.index;
    const end = start + word.length;
    const folded = fold(word);
    out.push({
      start,
      end,
      text: word,
      folded,
      kind: kindOf(word, folded),
      gapBefore: text.slice(prevEnd, start),
    });
    prevEnd = end;
    WORD_RE.lastIndex = end;
    // A civil title hyphenated at a line end (OCR: "Ma-⏎dame") is still a title.
    const last = out[out.length - 1];
    const before = out[out.length - 2];
    if (before && /^-[ \u00A0]?\n[ \u00A0]*$/.test(last.gapBefore)) {
      const merged = fold(before.text + last.text);
      if (TITLES.has(merged)) {
        out.pop();
        out[out.length - 1] = {
          ...before,
          end: last.end,
          text: before.text + last.text,
          folded: merged,
          kind: 'title',
        };
      }
    }
  }
  return out;
}

/** A token that can be part of a name (capitalised, all caps, initial or inner particle). */
export function isNameLike(t: Token): boolean {
  return t.kind === 'cap' || t.kind === 'upper' || t.kind === 'initial' || t.kind === 'particle';
}

/** Capitalised or all-caps word that is not a known non-name (sentence opener, acronym, body). */
export function isSurnameLike(t: Token): boolean {
  return (t.kind === 'cap' || t.kind === 'upper') && t.text.length >= 2 && !NOT_NAMES.has(t.folded);
}

/** Two tokens are in the same name only when separated by one plain or non-breaking space. */
export function joined(t: Token): boolean {
  return t.gapBefore === ' ' || t.gapBefore === '\u00A0' || t.gapBefore === '\u202F';
}
