import { nirValid } from './checksums.js';
import { findValidated, NUM_AFTER, NUM_BEFORE, SEP } from './numeric.js';
import type { Recognizer } from './types.js';

/** NIR (numéro de sécurité sociale): 15 characters, grouped or not, key possibly after " - ". */
const NIR_RE = new RegExp(
  `${NUM_BEFORE}[12]${SEP}?\\d{2}${SEP}?\\d{2}${SEP}?(?:\\d{2}|2[ABab])${SEP}?\\d{3}${SEP}?\\d{3}(?:${SEP}|\\s?[-–]\\s?)?\\d{2}${NUM_AFTER}`,
  'g',
);

export const nirRecognizer: Recognizer = {
  type: 'NIR',
  find: (ctx) => findValidated(ctx, NIR_RE, 'NIR', nirValid),
};
