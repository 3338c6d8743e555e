import { Pseudonymiser } from './pseudonymise.js';

/**
 * The text with every personal value found replaced by its placeholder (`[NIR_1]`, `[PERSONNE_1]`…),
 * for what is shown again later (conversation titles): no value is kept to restore.
 */
export function maskPersonalData(text: string): string {
  return new Pseudonymiser().pseudonymise(text);
}

/** A conversation's title from a question or a given title: one line, masked, at most 80 characters. */
export function conversationTitle(text: string, max = 80): string {
  return maskPersonalData(text.replace(/\s+/g, ' ').trim()).slice(0, max).trim();
}
