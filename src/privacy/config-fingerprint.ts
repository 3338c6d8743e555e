import type { Config } from '../config/schema.js';
import { canonicalJson, sha256 } from './canonical-json.js';

const SECRET_KEY = /secret|password|token|api_key$|private/i;

/** The configuration with secrets and URL credentials removed (what the start-up audit entry hashes). */
export function redactConfig(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (SECRET_KEY.test(key)) return '[secret]';
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1[secret]@');
  }
  if (Array.isArray(value)) return value.map((v) => redactConfig(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactConfig(v, k)]));
  return value;
}

/** SHA-256 of the canonical, redacted configuration: shows when the configuration changed, reveals nothing. */
export function configFingerprint(config: Config): string {
  return sha256(canonicalJson(redactConfig(config)));
}
