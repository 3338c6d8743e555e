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
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd < 0) lineEnd = text.length;
  if (text.slice(lineStart, start).trim() !== '') return false;
  const tail = text.slice(end, lineEnd);
  const dashTail = DASH_TAIL.test(tail);
  if (tail.trim() !== '' && !dashTail) return false;
  if (dashTail) return true;
  const before = text.slice(0, lineStart).trimEnd();
  const prevLine = fold(before.slice(before.lastIndexOf('\n') + 1).trim());
  if (CLOSINGS.test(prevLine)) return true;
  const after = text.slice(lineEnd).trimStart();
  if (after === '')
    return before.endsWith('\n') || before === '' ? true : text.slice(lineStart - 2, lineStart) === '\n\n';
  return NEXT_LINE_ROLE.test(fold(after.slice(0, 40)));
}
