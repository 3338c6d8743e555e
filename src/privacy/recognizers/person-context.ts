import { fold } from '../lexicon/fold.js';
import { CLOSINGS, CUES_AFTER, CUES_BEFORE, INSTITUTIONS, LABEL_PHRASES, LABELS } from '../lexicon/words.js';
import type { Token } from './person-tokens.js';

/** Contextual evidence around a candidate name, read on the folded text. */

const LABEL_RE = new RegExp(
  `(?:^|\\n|[–—-]\\s|[.;]\\s)\\s*(?:${[...LABELS, ...LABEL_PHRASES].map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?:\\s\\(e\\))?\\s?:\\s*$|fiche\\scontact\\s?[–—-]\\s*$`,
);
const NEXT_LINE_ROLE =
  /^(?:conseill|agent|charg|assistant|referent|travailleu|equipe|france services|mediat|secretari)/;
const DASH_TAIL = /^\s?[–—-]\s\S/;

export function labelBefore(text: string, start: number): boolean {
  return LABEL_RE.test(fold(text.slice(Math.max(0, start - 40), start)));
}

export function cueBefore(text: string, start: number): boolean {
  // "son mari, Tran Van Hung": a comma between the cue and the name does not matter.
  const before = fold(text.slice(Math.max(0, start - 30), start))
    .replace(/,/g, ' ')
    .replace(/\s+/g, ' ');
  return CUES_BEFORE.some((c) => before.endsWith(`${c.replace(/,/g, '')} `));
}

export function cueAfter(text: string, end: number): boolean {
  return CUES_AFTER.test(fold(text.slice(end, end + 40)));
}

/** A place or institution noun among the three words before the name, on the same clause. */
export function institutionBefore(tokens: Token[], first: number): boolean {
  for (let k = first - 1, seen = 0; k >= 0 && seen < 3; k--, seen++) {
    const gap = tokens[k + 1].gapBefore;
    if (/[^\s'’]/.test(gap) || gap.includes('\n')) return false;
    const w = tokens[k].folded.replace(/^[ldj]'/, '');
    if (INSTITUTIONS.has(w)) return true;
  }
  return false;
}

/**
 * A name alone on its line (possibly followed by " – France Services") that closes a message:
 * after a closing formula, before a role line ("Conseillère …"), or as the last line.
 */
export function signatureLine(text: string, start: number, end: number): boolean {
  // Only blanks between the line start and the name (scanning back over blanks only: O(1) in practice).
  let k = start - 1;
  while (k >= 0 && (text[k] === ' ' || text[k] === '\t' || text[k] === '\u00A0')) k--;
  if (k >= 0 && text[k] !== '\n') return false;
  const lineStart = k + 1;
  const dashTail = DASH_TAIL.test(text.slice(end, end + 4));
  let lineEnd = end;
  if (!dashTail) {
    while (
      lineEnd < text.length &&
      (text[lineEnd] === ' ' || text[lineEnd] === '\t' || text[lineEnd] === '\r')
    )
      lineEnd++;
    if (lineEnd < text.length && text[lineEnd] !== '\n') return false;
  }
  if (dashTail) return true;
  const from = Math.max(0, lineStart - 300);
  const before = text.slice(from, lineStart).trimEnd();
  const prevLine = fold(before.slice(before.lastIndexOf('\n') + 1).trim());
  if (CLOSINGS.test(prevLine)) return true;
  const after = text.slice(lineEnd, lineEnd + 300).trimStart();
  if (after === '' && lineEnd + 300 >= text.length)
    return before === '' && from === 0 ? true : text.slice(lineStart - 2, lineStart) === '\n\n';
  return NEXT_LINE_ROLE.test(fold(after.slice(0, 40)));
}
