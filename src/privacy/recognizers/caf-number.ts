import { findAfterCue } from './context-number.js';
import { NUM_AFTER, NUM_BEFORE } from './numeric.js';
import type { Recognizer } from './types.js';

/** Numéro allocataire CAF: 7 digits, only after "allocataire" / "CAF" / "alloc." (45 characters). */
const CAF_RE = new RegExp(`${NUM_BEFORE}\\d{7}${NUM_AFTER}`, 'g');
const CAF_CUE = /allocataire|\bCAF\b|\balloc\b/i;

export const cafNumberRecognizer: Recognizer = {
  type: 'CAF_NUMBER',
  find: (ctx) => findAfterCue(ctx, CAF_RE, CAF_CUE, 45, 'CAF_NUMBER'),
};
