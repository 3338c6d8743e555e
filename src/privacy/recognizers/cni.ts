import { findAfterCue } from './context-number.js';
import { cueBefore, NUM_AFTER, NUM_BEFORE } from './numeric.js';
import { PASSPORT_CUE, PASSPORT_SHAPE } from './passport.js';
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
      if (v.length === 9 && /^\d{9}$/.test(v)) return false;
      // A value shaped like a passport number takes the type of the nearest cue before it
      // ("On lui a dérobé sa CNI ; reste le passeport 18MM04128" is a passport).
      if (PASSPORT_SHAPE.test(v)) {
        const cni = cueBefore(ctx.text, c.start, CNI_CUE, 45);
        const passport = cueBefore(ctx.text, c.start, PASSPORT_CUE, 45);
        if (passport && (!cni || passport.index > cni.index)) return false;
      }
      return true;
    }),
};
