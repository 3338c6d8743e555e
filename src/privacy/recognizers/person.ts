import { FAMOUS, INSTITUTIONS, NOT_NAMES } from '../lexicon/words.js';
import { isFirstName, WEAK_FIRST_NAMES } from '../lexicon/first-names.js';
import { cueAfter, cueBefore, institutionBefore, labelBefore, signatureLine } from './person-context.js';
import { contextualNames, otherOccurrences } from './person-names.js';
import { isNameLike, isSurnameLike, joined, tokenize, type Token } from './person-tokens.js';
import type { Candidate, Recognizer } from './types.js';

const MAX_NAME_TOKENS = 5;
const STREET_NUMBER = /(?<![\p{L}\d])\d{1,4}(?:\s?(?:bis|ter|BIS|TER))?,?\s$/u;
/** Lower-case words that cannot be a surname after a lower-case first name ("mme marie est …"). */
const LOWER_STOP =
  /^(?:est|a|et|ou|qui|que|se|ne|n'|l'|de|du|des|le|la|les|au|aux|en|pour|par|sur|avec|dans|peut|souhaite|vit|habite|nee?|sa|son|ses|il|elle)$/;

function firstNameToken(t: Token): boolean {
  return (t.kind === 'cap' || t.kind === 'upper') && isFirstName(t.text);
}

/** Name shapes known without context: Prénom Nom, NOM Prénom, J. Moreau, Julie M. */
function lexiconShape(run: Token[]): boolean {
  if (run.length < 2) return false;
  const [first, ...rest] = run;
  const last = run[run.length - 1];
  const restOk = rest.every((t) => isSurnameLike(t) || t.kind === 'particle' || t.kind === 'initial');
  if (firstNameToken(first) && restOk && rest.some((t) => t.kind !== 'particle')) {
    if (first.text.length <= 2 || WEAK_FIRST_NAMES.has(first.folded))
      return rest.some((t) => t.kind === 'upper');
    return true;
  }
  const headUpper = run
    .slice(0, -1)
    .every((t) => (t.kind === 'upper' && isSurnameLike(t)) || t.kind === 'particle');
  if (headUpper && last.kind === 'cap' && isFirstName(last.text) && run[0].kind === 'upper') return true;
  if (
    first.kind === 'initial' &&
    rest.length <= 3 &&
    rest.every((t) => isSurnameLike(t) || t.kind === 'particle')
  )
    return isSurnameLike(last);
  return false;
}

/** Drops non-name words (openers, labels, particles) at the edges of a run. */
function trim(run: Token[], afterTitle: boolean): Token[] {
  let a = 0;
  let b = run.length;
  // "Monsieur Le Gall", "Mme Da Silva": a capitalised particle right after a title starts the name.
  const keepHead = afterTitle && run.length > 1 && run[0].kind === 'particle' && /^\p{Lu}/u.test(run[0].text);
  while (!keepHead && a < b && (NOT_NAMES.has(run[a].folded) || run[a].kind === 'particle')) a++;
  while (b > a && (NOT_NAMES.has(run[b - 1].folded) || run[b - 1].kind === 'particle')) b--;
  return run.slice(a, b);
}

function accept(text: string, tokens: Token[], from: number, run: Token[]): boolean {
  const start = run[0].start;
  const end = run[run.length - 1].end;
  const prev = tokens[from - 1];
  if (prev && prev.kind === 'title' && joined(run[0])) return true;
  if (labelBefore(text, start)) return true;
  if (institutionBefore(tokens, from) || run.some((t) => INSTITUTIONS.has(t.folded))) return false;
  if (run.length > 1 && FAMOUS.has(run.map((t) => t.folded).join('-'))) return false;
  if (!run.every((t) => isSurnameLike(t) || t.kind === 'particle' || t.kind === 'initial')) return false;
  if (lexiconShape(run)) return true;
  const strong = run.length >= 2 || run[0].kind === 'upper';
  if (strong && cueBefore(text, start)) return true;
  if (run.length >= 2 && cueAfter(text, end)) return true;
  return run.length >= 2 && run.length <= 4 && signatureLine(text, start, end);
}

/** "mme monique brunet", "m. karim benali": lower-case name right after a title. */
function lowerCaseAfterTitle(tokens: Token[], i: number): Candidate | null {
  const a = tokens[i + 1];
  const b = tokens[i + 2];
  if (!a || a.kind !== 'lower' || !joined(a) || !isFirstName(a.text)) return null;
  if (!b || b.kind !== 'lower' || !joined(b) || b.text.length < 2 || LOWER_STOP.test(b.folded)) return null;
  return { start: a.start, end: b.end, type: 'PERSON' };
}

/**
 * PERSON: names after civil titles (title excluded), after form labels and family cues, in
 * signatures, and "Prénom NOM" / "NOM Prénom" / initials shapes backed by the first-name lexicon.
 * Names of places and institutions ("lycée Victor Hugo", "rue Jean Jaurès") are left alone.
 */
export const personRecognizer: Recognizer = {
  type: 'PERSON',
  find(ctx) {
    const { text } = ctx;
    const tokens = tokenize(text, () => ctx.expired());
    const out: Candidate[] = [];
    let i = 0;
    while (i < tokens.length) {
      if (i % 128 === 0 && ctx.expired()) break;
      const t = tokens[i];
      if (t.kind === 'title') {
        const lower = lowerCaseAfterTitle(tokens, i);
        if (lower) out.push(lower);
      }
      const titledParticle = t.kind === 'particle' && i > 0 && tokens[i - 1].kind === 'title' && joined(t);
      if (!isNameLike(t) || (t.kind === 'particle' && !titledParticle)) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < tokens.length && j - i < 7 && joined(tokens[j + 1]) && isNameLike(tokens[j + 1])) j++;
      const raw = tokens.slice(i, j + 1);
      const run = trim(raw, i > 0 && tokens[i - 1].kind === 'title' && joined(t));
      if (run.length > 0 && run.length <= MAX_NAME_TOKENS) {
        const from = i + raw.indexOf(run[0]);
        if (accept(text, tokens, from, run))
          out.push({ start: run[0].start, end: run[run.length - 1].end, type: 'PERSON' });
      }
      i = j + 1;
    }
    const names = { text, tokens, lowerText: isLowerCaseText(tokens), upperText: isUpperCaseText(tokens) };
    for (const c of contextualNames(names, () => ctx.expired())) out.push(c);
    for (const c of otherOccurrences(names, out)) out.push(c);
    // "12 R. Pasteur": after a house number, "R." is a street type, not an initial.
    return out.filter(
      (c) =>
        !(
          /^\p{Lu}\.\s/u.test(text.slice(c.start, c.end + 1)) &&
          STREET_NUMBER.test(text.slice(Math.max(0, c.start - 12), c.start))
        ),
    );
  },
};

/** A text typed mostly in capitals (forms). */
function isUpperCaseText(tokens: Token[]): boolean {
  let words = 0;
  let upper = 0;
  for (const t of tokens) {
    if (t.text.length < 3) continue;
    words++;
    if (t.kind === 'upper') upper++;
  }
  return upper > words * 0.4;
}

/** A text typed in lower case (SMS notes): almost no word starts with a capital. */
function isLowerCaseText(tokens: Token[]): boolean {
  let words = 0;
  let capitals = 0;
  for (const t of tokens) {
    if (t.text.length < 3) continue;
    words++;
    if (t.kind !== 'lower') capitals++;
  }
  return words >= 4 && capitals <= words * 0.08;
}
