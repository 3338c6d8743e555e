import type { Store } from '../store/spec.js';
import { AppError } from '../shared/errors.js';
import { keyMatches, parseApiKey } from './api-key-secret.js';
import type { Principal } from './model.js';

/** Minimum time between two writes of a key's last-used time. */
export const TOUCH_INTERVAL_MS = 60_000;

/** The one 401 for every authentication failure (absent, malformed, unknown, wrong, revoked, expired). */
export const refused = (): AppError =>
  new AppError(
    'invalid_api_key',
    'Clé d’API absente, invalide, révoquée ou expirée. Envoyez « Authorization: Bearer gch_… ».',
  );

/**
 * Resolves a presented API key to a principal. Every failure gives the same 401. The key is found
 * by its public prefix and its hash compared in constant time (against a dummy hash when the prefix
 * is unknown), so unknown and wrong keys take the same time. The last-used time is written at most
 * once a minute per key.
 */
export async function authenticateApiKey(
  store: Store,
  presented: string,
  now = Date.now(),
): Promise<Principal> {
  const prefix = parseApiKey(presented);
  if (!prefix) throw refused();
  const key = await store.accounts.keys.findByPrefix(prefix);
  const matches = keyMatches(presented, key?.hash ?? null);
  if (!key || !matches) throw refused();
  if (key.revokedAt !== null) throw refused();
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now) throw refused();
  if (key.lastUsedAt === null || now - Date.parse(key.lastUsedAt) >= TOUCH_INTERVAL_MS) {
    await store.accounts.keys.touch(key.id, new Date(now).toISOString());
  }
  return { orgId: key.orgId, userId: key.userId, keyId: key.id, role: key.role, via: 'key' };
}
