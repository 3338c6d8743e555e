import { addressRecognizer } from './address.js';
import { cafNumberRecognizer } from './caf-number.js';
import { cniRecognizer } from './cni.js';
import { dateOfBirthRecognizer } from './date-of-birth.js';
import { emailRecognizer } from './email.js';
import { ibanRecognizer } from './iban.js';
import { nirRecognizer } from './nir.js';
import { passportRecognizer } from './passport.js';
import { personRecognizer } from './person.js';
import { phoneRecognizer } from './phone.js';
import { sirenRecognizer } from './siren.js';
import { siretRecognizer } from './siret.js';
import { taxIdRecognizer } from './tax-id.js';
import type { Recognizer } from './types.js';

/**
 * Every recognizer, in priority order: when two candidates overlap, the earlier type wins
 * (check-digit identifiers first, context-only numbers next, addresses, then names).
 */
export const RECOGNIZERS: readonly Recognizer[] = [
  emailRecognizer,
  ibanRecognizer,
  nirRecognizer,
  siretRecognizer,
  taxIdRecognizer,
  phoneRecognizer,
  sirenRecognizer,
  cniRecognizer,
  passportRecognizer,
  cafNumberRecognizer,
  dateOfBirthRecognizer,
  addressRecognizer,
  personRecognizer,
];
