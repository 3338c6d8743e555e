import { siretValid } from './checksums.js';
import { findValidated, NUM_AFTER, NUM_BEFORE, SEP } from './numeric.js';
import type { Recognizer } from './types.js';

/** SIRET: 14 digits, compact or "123 456 789 00012" (NIC possibly split "000 12"). */
const SIRET_RE = new RegExp(
  `${NUM_BEFORE}\\d{3}${SEP}?\\d{3}${SEP}?\\d{3}${SEP}?(?:\\d{5}|\\d{3}${SEP}\\d{2})${NUM_AFTER}`,
  'g',
);

export const siretRecognizer: Recognizer = {
  type: 'SIRET',
  find: (ctx) => findValidated(ctx, SIRET_RE, 'SIRET', siretValid),
};
