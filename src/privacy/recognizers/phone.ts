import { findValidated, NUM_AFTER, NUM_BEFORE, SEP } from './numeric.js';
import type { Recognizer } from './types.js';

/**
 * French phone numbers: 0X XX XX XX XX (X = 1–7, 9), +33 / 0033 with an optional "(0)".
 * Short public-service numbers (3939, 39 39, 115) never match: ten digits are required.
 */
const PHONE_RE = new RegExp(
  `(?:${NUM_BEFORE}0[1-79]|(?<![0-9A-Za-z+])(?:\\+|00)33${SEP}?(?:\\(0\\)${SEP}?)?[1-79])(?:${SEP}?\\d{2}){4}${NUM_AFTER}`,
  'g',
);

/** National form (0XXXXXXXXX) of a matched phone number. */
export function normalisePhone(value: string): string {
  const digits = value.replace(/\(0\)/, '').replace(/\D/g, '');
  if (digits.startsWith('0033')) return '0' + digits.slice(4);
  if (digits.startsWith('33') && value.trim().startsWith('+')) return '0' + digits.slice(2);
  return digits;
}

export const phoneRecognizer: Recognizer = {
  type: 'PHONE_FR',
  find: (ctx) => findValidated(ctx, PHONE_RE, 'PHONE_FR', () => true),
};
