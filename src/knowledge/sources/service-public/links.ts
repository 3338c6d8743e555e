/** Public URLs of service-public.fr publications. */
import type { Audience } from '../../model.js';

const AUDIENCES: Record<string, Audience> = {
  particuliers: 'particuliers',
  professionnels: 'professionnels',
  pro: 'professionnels',
  associations: 'associations',
  asso: 'associations',
};

/** Reads an audience word ("Particuliers", "professionnels"…); null when it is none. */
export function toAudience(value: string | undefined): Audience | null {
  if (!value) return null;
  return AUDIENCES[value.trim().toLowerCase()] ?? null;
}

export function publicationUrl(id: string, audience: Audience): string {
  return `https://www.service-public.fr/${audience}/vosdroits/${id}`;
}
