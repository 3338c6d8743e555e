import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API key format: `gch_` + 8 visible characters (the prefix, unique, used to find the key) + 40
 * secret characters, all base62. Only the SHA-256 of the whole key is stored. A lookup finds the
 * candidate by its public prefix, then compares hashes in constant time; an unknown prefix is
 * compared against a dummy hash so that unknown and wrong keys cost the same.
 */
export const KEY_PREFIX = 'gch_';
export const VISIBLE_CHARS = 8;
const SECRET_CHARS = 40;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${VISIBLE_CHARS + SECRET_CHARS}}$`);

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62]; // 248 = 4 × 62: no bias
    }
  }
  return out;
}

export interface GeneratedKey {
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): GeneratedKey {
  const body = randomBase62(VISIBLE_CHARS + SECRET_CHARS);
  const key = KEY_PREFIX + body;
  return { key, prefix: body.slice(0, VISIBLE_CHARS), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The visible prefix of a well-formed key, or null when the text cannot be a Guichet key. */
export function parseApiKey(text: string): string | null {
  return KEY_PATTERN.test(text) ? text.slice(KEY_PREFIX.length, KEY_PREFIX.length + VISIBLE_CHARS) : null;
}

const DUMMY_HASH = hashApiKey(KEY_PREFIX + 'x'.repeat(VISIBLE_CHARS + SECRET_CHARS));

/**
 * Constant-time comparison of the presented key with a stored hash (or a dummy when none).
 * `presentedHash`: `hashApiKey(key)` when the caller already has it.
 */
export function keyMatches(key: string, storedHash: string | null, presentedHash = hashApiKey(key)): boolean {
  const presented = Buffer.from(presentedHash, 'hex');
  const stored = Buffer.from(storedHash ?? DUMMY_HASH, 'hex');
  const same = stored.length === presented.length && timingSafeEqual(presented, stored);
  return same && storedHash !== null;
}
