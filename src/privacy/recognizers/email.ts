import { matches } from './numeric.js';
import type { Candidate, Recognizer } from './types.js';

/** RFC-like e-mail address; bounded quantifiers, labels separated by a mandatory dot. */
const EMAIL_RE =
  /(?<![\w.%+@-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w@-])/g;

export const emailRecognizer: Recognizer = {
  type: 'EMAIL',
  find(ctx) {
    const out: Candidate[] = [];
    for (const m of matches(ctx, EMAIL_RE))
      out.push({ start: m.index, end: m.index + m[0].length, type: 'EMAIL' });
    return out;
  },
};
