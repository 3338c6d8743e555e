import type { Store } from '../store/spec.js';
import { AppError } from '../shared/errors.js';
import { hashApiKey, keyMatches, parseApiKey } from './api-key-secret.js';
import { accountsGeneration, lookupCache } from './lookup-cache.js';
import type { ApiKey, Principal } from './model.js';

/** Minimum time between two writes of a key's last-used time. */
export const TOUCH_INTERVAL_MS = 60_000;

/** How long a verified key is kept in memory (see lookup-cache.ts: revocation here is immediate). */
export const KEY_CACHE_MS = 2_000;

/** The one 401 for every authentication failure (absent, malformed, unknown, wrong, revoked, expired). */
export const refused = (): AppError =>
  new AppError(
    'invalid_api_key',
    'Clé d’API absente, invalide, révoquée ou expirée. Envoyez « Authorization: Bearer gch_… ».',
  );

/**
 * Resolves a presented API key to a principal. Every failure gives the same 401. The key is found
 * by its public prefix and its hash compared in constant time (against a dummy hash when the prefix
 * is unknown), so unknown and wrong keys take the same time. A key that matched is then remembered
 * for `KEY_CACHE_MS` under the SHA-256 of the whole key: only the exact key hits that memory, so
 * unknown and wrong keys still take the store path. Revocation and expiry are checked on every
 * request. The last-used time is written at most once a minute per key.
 */
export async function authenticateApiKey(
  store: Store,
  presented: string,
  now = Date.now(),
): Promise<Principal> {
  const prefix = parseApiKey(presented);
  if (!prefix) throw refused();
  const hash = hashApiKey(presented);
  const cache = lookupCache<ApiKey>(store, 'keys', KEY_CACHE_MS);
  let key = cache.get(hash);
  if (!key) {
    const readAt = accountsGeneration();
    const found = await store.accounts.keys.findByPrefix(prefix);
    const matches = keyMatches(presented, found?.hash ?? null, hash);
    if (!found || !matches) throw refused();
    cache.set(hash, found, readAt);
    key = found;
  }
  if (key.revokedAt !== null) throw refused();
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now) throw refused();
  if (key.lastUsedAt === null || now - Date.parse(key.lastUsedAt) >= TOUCH_INTERVAL_MS) {
    const at = new Date(now).toISOString();
    key.lastUsedAt = at; // the cached copy: concurrent requests do not all write it
    await store.accounts.keys.touch(key.id, at);
  }
  return { orgId: key.orgId, userId: key.userId, keyId: key.id, role: key.role, via: 'key' };
}
