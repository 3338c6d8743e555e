import { findAfterCue } from './context-number.js';
import { NUM_AFTER, NUM_BEFORE } from './numeric.js';
import type { Recognizer } from './types.js';

/**
 * Carte nationale d'identité: old format 12 digits, new format 9 upper-case letters/digits.
 * Only after "CNI" / "carte (nationale) d'identité" (45 characters).
 */
const CNI_RE = new RegExp(`${NUM_BEFORE}\\d{12}${NUM_AFTER}|(?<![0-9A-Za-z])[A-Z0-9]{9}(?![0-9A-Za-z])`, 'g');
const CNI_CUE = /\bCNI\b|carte\s+(?:nationale\s+)?d['’]\s?identit[ée]/i;

export const cniRecognizer: Recognizer = {
  type: 'CNI',
  find: (ctx) =>
    findAfterCue(ctx, CNI_RE, CNI_CUE, 45, 'CNI').filter((c) => {
      const v = ctx.text.slice(c.start, c.end);
      // A 9-digit run is a SIREN-like number, not a new-format card number.
      return v.length === 12 || !/^\d{9}$/.test(v);
    }),
};
