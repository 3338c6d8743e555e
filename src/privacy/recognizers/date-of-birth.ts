import { cueBefore, matches } from './numeric.js';
import type { Candidate, Recognizer } from './types.js';

const MONTHS =
  'janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre';

/**
 * dd/mm/yyyy (also . and -), ISO yyyy-mm-dd, "3 mars 1985", "1er mars 1985"; two-digit years
 * ("28/03/96", "21 octobre 15"); months in any case, with or without accents.
 */
const DATE_RE = new RegExp(
  `(?<![0-9])(?:(?:0?[1-9]|[12]\\d|3[01])([/.\\-])(?:0?[1-9]|1[0-2])\\1(?:(?:19|20)\\d{2}|\\d{2})|(?:19|20)\\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])|(?:1er|0?[1-9]|[12]\\d|3[01])[\\s\\u00A0](?:${MONTHS})[\\s\\u00A0](?:(?:19|20)\\d{2}|\\d{2}))(?![0-9])`,
  'gi',
);

/** A birth cue: né, née, nee, né(e), "ne le" (capitals without accents), naissance, naiss., DDN. */
const BIRTH_CUE =
  /(?<![\p{L}])(?:né(?:\(e\)|e?s?)|ne(?:\(e\)|es?|(?=[\s\u00A0]+le\b))|naissance|naiss\.|d\.?d\.?n\.?)(?![\p{L}])/iu;

/** A date is a birth date only when a birth cue occurs within 25 characters before it. */
export const dateOfBirthRecognizer: Recognizer = {
  type: 'DATE_OF_BIRTH',
  find(ctx) {
    const out: Candidate[] = [];
    let previousEnd = 0;
    for (const m of matches(ctx, DATE_RE)) {
      const cue = cueBefore(ctx.text, m.index, BIRTH_CUE, 25);
      // The cue must introduce this date, not an earlier one.
      if (cue && cue.index >= previousEnd)
        out.push({ start: m.index, end: m.index + m[0].length, type: 'DATE_OF_BIRTH' });
      previousEnd = m.index + m[0].length;
    }
    return out;
  },
};
