import { taxIdValid } from './checksums.js';
import { findValidated, NUM_AFTER, NUM_BEFORE, SEP } from './numeric.js';
import type { Recognizer } from './types.js';

/** Numéro fiscal (SPI): 13 digits, compact or "12 34 567 890 123". */
const TAX_RE = new RegExp(
  `${NUM_BEFORE}[0-3]\\d${SEP}?\\d{2}${SEP}?\\d{3}${SEP}?\\d{3}${SEP}?\\d{3}${NUM_AFTER}`,
  'g',
);

export const taxIdRecognizer: Recognizer = {
  type: 'TAX_ID',
  find: (ctx) => findValidated(ctx, TAX_RE, 'TAX_ID', taxIdValid),
};
