/** The personal-data types the detector knows (see eval/pii-README.md). */
export type PiiType =
  | 'PERSON'
  | 'NIR'
  | 'IBAN_FR'
  | 'SIRET'
  | 'SIREN'
  | 'PHONE_FR'
  | 'EMAIL'
  | 'ADDRESS'
  | 'DATE_OF_BIRTH'
  | 'TAX_ID'
  | 'CAF_NUMBER'
  | 'PASSPORT'
  | 'CNI';

export const PII_TYPES: readonly PiiType[] = [
  'PERSON',
  'NIR',
  'IBAN_FR',
  'SIRET',
  'SIREN',
  'PHONE_FR',
  'EMAIL',
  'ADDRESS',
  'DATE_OF_BIRTH',
  'TAX_ID',
  'CAF_NUMBER',
  'PASSPORT',
  'CNI',
];

/** A detected value. Offsets are Unicode code points (end exclusive) in the public API. */
export interface PiiSpan {
  start: number;
  end: number;
  type: PiiType;
  value: string;
}

/** What a recognizer returns: UTF-16 offsets into the scanned string. */
export interface Candidate {
  start: number;
  end: number;
  type: PiiType;
}

/** Shared state of one scan: the text and a deadline every recognizer checks in its loops. */
export interface ScanContext {
  readonly text: string;
  /** True once the time budget of this scan is spent; recognizers stop looking further. */
  expired(): boolean;
}

export interface Recognizer {
  readonly type: PiiType;
  find(ctx: ScanContext): Candidate[];
}
