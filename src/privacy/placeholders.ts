import { fold } from './lexicon/fold.js';
import { normalisePhone } from './recognizers/phone.js';
import type { PiiType } from './recognizers/types.js';

/** French placeholder label per type: `[PERSONNE_1]`, `[NIR_1]`… */
export const PLACEHOLDER_LABELS: Record<PiiType, string> = {
  PERSON: 'PERSONNE',
  NIR: 'NIR',
  IBAN_FR: 'IBAN',
  SIRET: 'SIRET',
  SIREN: 'SIREN',
  PHONE_FR: 'TELEPHONE',
  EMAIL: 'EMAIL',
  ADDRESS: 'ADRESSE',
  DATE_OF_BIRTH: 'DATE_NAISSANCE',
  TAX_ID: 'NUMERO_FISCAL',
  CAF_NUMBER: 'NUMERO_CAF',
  PASSPORT: 'PASSEPORT',
  CNI: 'CNI',
};

const LABELS = Object.values(PLACEHOLDER_LABELS).join('|');
/** Any token shaped like one of our placeholders. */
export const PLACEHOLDER_RE = new RegExp(`\\[(?:${LABELS})_\\d{1,9}\\]`, 'g');
/** Longest possible placeholder, to bound what a stream restorer holds back. */
export const MAX_PLACEHOLDER_LENGTH =
  Math.max(...Object.values(PLACEHOLDER_LABELS).map((l) => l.length)) + 12;

/** The key under which two spellings of one value share a placeholder ("06 12…" = "0612…"). */
export function normaliseValue(type: PiiType, value: string): string {
  switch (type) {
    case 'PHONE_FR':
      return normalisePhone(value);
    case 'PERSON':
    case 'ADDRESS':
      return fold(value)
        .replace(/[\s,.\-–—]+/g, ' ')
        .trim();
    case 'EMAIL':
      return value.toLowerCase();
    case 'DATE_OF_BIRTH':
      return fold(value).replace(/\s+/g, ' ').replace(/[.-]/g, '/');
    default:
      return value.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  }
}
