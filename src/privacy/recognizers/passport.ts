import { findAfterCue } from './context-number.js';
import type { Recognizer } from './types.js';

/** French passport number: 2 digits, 2 letters, 5 digits — only after "passeport" (45 characters). */
const PASSPORT_RE = /(?<![0-9A-Za-z])\d{2}[A-Za-z]{2}\d{5}(?![0-9A-Za-z])/g;
export const PASSPORT_SHAPE = /^\d{2}[A-Za-z]{2}\d{5}$/;
export const PASSPORT_CUE = /passeport|passport/i;

export const passportRecognizer: Recognizer = {
  type: 'PASSPORT',
  find: (ctx) => findAfterCue(ctx, PASSPORT_RE, PASSPORT_CUE, 45, 'PASSPORT'),
};
