import { sirenValid } from './checksums.js';
import { findValidated, NUM_AFTER, NUM_BEFORE, SEP } from './numeric.js';
import type { Recognizer } from './types.js';

/** SIREN: 9 digits, compact or "123 456 789", Luhn-valid. */
const SIREN_RE = new RegExp(`${NUM_BEFORE}\\d{3}${SEP}?\\d{3}${SEP}?\\d{3}${NUM_AFTER}`, 'g');

export const sirenRecognizer: Recognizer = {
  type: 'SIREN',
  find: (ctx) => findValidated(ctx, SIREN_RE, 'SIREN', sirenValid),
};
