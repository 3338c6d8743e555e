import type { MiddlewareHandler } from 'hono';
import { authenticateApiKey, refused } from '../../accounts/authenticate-api-key.js';
import type { SessionResolver } from '../../accounts/session.js';
import { CSRF_HEADER, csrfTokenFor } from '../../accounts/oidc/sessions.js';
import { timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/spec.js';
import { AppError } from '../../shared/errors.js';
import type { AppEnv } from '../env.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for cookie sessions: `Sec-Fetch-Site` (sent by every current browser) must be
 * `same-origin` (or `none`, typed by the user), and an `Origin` header must name this host
 * (the proxy's `X-Forwarded-Host` when there is one). A request with neither (not a browser) passes.
 */
export function checkSameOrigin(header: (name: string) => string | undefined): void {
  const refuse = () =>
    new AppError(
      'forbidden',
      'Requête refusée : elle ne provient pas d’une page de Guichet (protection contre la falsification de requêtes).',
    );
  const site = header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw refuse();
  const origin = header('origin');
  if (origin === undefined) return;
  const host = (header('x-forwarded-host') ?? header('host') ?? '').split(',')[0].trim().toLowerCase();
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    throw refuse();
  }
  if (!host || originHost !== host) throw refuse();
}

/**
 * The session's CSRF token (`csrf_token` of `GET /v1/me`) must come back in the `X-CSRF-Token`
 * header: a form posted by a sibling site of the same domain carries the cookie, never the header.
 */
export function checkCsrfToken(cookieHeader: string | undefined, sent: string | undefined): void {
  const expected = csrfTokenFor(cookieHeader);
  const a = Buffer.from(sent ?? '');
  const b = Buffer.from(expected ?? '');
  if (expected && a.length === b.length && timingSafeEqual(a, b)) return;
  throw new AppError(
    'forbidden',
    'Requête refusée : le jeton anti-falsification de la session manque ou ne correspond pas. Rechargez la page.',
  );
}

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
    // A browser sends the cookie along with requests forged by other sites (SameSite=Lax lets a
    // sibling site of the same domain through): a change made with a session must come from a
    // page of this very origin, and carry the session's CSRF token.
    if (!SAFE_METHODS.has(c.req.method)) {
      checkSameOrigin(c.req.header.bind(c.req));
      checkCsrfToken(cookie, c.req.header(CSRF_HEADER));
    }
    c.set('principal', session);
    return next();
  };
}
