import { ibanValid } from './checksums.js';
import { findValidated, SEP } from './numeric.js';
import type { Recognizer } from './types.js';

/** French IBAN: FR + 2 check digits + 23 characters, compact or in groups of four. */
const IBAN_RE = new RegExp(
  `(?<![0-9A-Za-z])FR\\d{2}(?:${SEP}?[0-9A-Z]{4}){5}${SEP}?[0-9A-Z]{3}(?![0-9A-Za-z])`,
  'gi',
);

export const ibanRecognizer: Recognizer = {
  type: 'IBAN_FR',
  find: (ctx) => findValidated(ctx, IBAN_RE, 'IBAN_FR', (v) => v.length === 27 && ibanValid(v)),
};
