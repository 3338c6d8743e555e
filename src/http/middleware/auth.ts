import type { MiddlewareHandler } from 'hono';
import { authenticateApiKey, refused } from '../../accounts/authenticate-api-key.js';
import type { SessionResolver } from '../../accounts/session.js';
import type { Store } from '../../store/spec.js';
import type { AppEnv } from '../env.js';

/**
 * Puts the caller on the context (`principal`): a Bearer API key, else a browser session through
 * `resolveSession` (OIDC). Anything else is a 401 `invalid_api_key`, the same for every failure.
 */
export function authenticate(o: {
  store: Store;
  resolveSession?: SessionResolver;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw refused();
      c.set('principal', await authenticateApiKey(o.store, m[1]));
      return next();
    }
    const cookie = c.req.header('cookie');
    const session = cookie && o.resolveSession ? await o.resolveSession(cookie) : null;
    if (!session) throw refused();
    c.set('principal', session);
    return next();
  };
}
