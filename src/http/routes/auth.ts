import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { createOidcClient, isOidcConfigured, type OidcClient } from '../../accounts/oidc/client.js';
import {
  findSession,
  hashOpaqueId,
  newOpaqueId,
  openSession,
  readCookie,
  serializeCookie,
  SESSION_COOKIE,
  SIGNIN_COOKIE,
} from '../../accounts/oidc/sessions.js';
import { signInUser } from '../../accounts/oidc/sign-in-user.js';
import { authenticateApiKey } from '../../accounts/authenticate-api-key.js';
import type { AuditEvent } from '../../privacy/audit-log.js';
import { AppError, isAppError } from '../../shared/errors.js';
import type { Services } from '../../services.js';
import type { AppEnv } from '../env.js';
import { errorBody } from '../errors.js';

/** A sign-in started must come back within this many seconds. */
const SIGNIN_TTL_SECONDS = 600;
const LOCAL_PATH = /^\/(?![/\\])[^\s\\]{0,500}$/;

/**
 * Browser sign-in (ProConnect or any OIDC provider): `GET /auth/login` → provider →
 * `GET /auth/callback` → session cookie; with an API key: `POST /auth/key` → session cookie;
 * `POST /auth/logout` (ends the session on the server); `GET /auth/session` (who am I).
 * These routes sit outside /v1: the session they open is what `/v1` accepts instead of a key.
 */
export function registerAuthRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const config = services.config.oidc;
  const store = services.store;
  let client: OidcClient | null = null;
  const getClient = (): OidcClient => (client ??= createOidcClient(config, { egress: services.egress }));
  /** Sign-in events in the audit log when there is one (a failure to audit is logged, never shown). */
  const audit = async (c: Context<AppEnv>, event: AuditEvent) => {
    try {
      await services.audit.append({ actor: { via: 'session', requestId: c.get('requestId') }, ...event });
    } catch (err) {
      c.get('logger').error({ err, requestId: c.get('requestId') }, 'audit append failed');
    }
  };
  // `Secure` when the browser came over HTTPS (directly or through a proxy saying so), and always
  // for an OIDC installation that asks for it (its callback URL is HTTPS).
  const secure = (c: Context<AppEnv>) => isHttps(c) || (isOidcConfigured(config) && config.cookie_secure);
  const cookieFor =
    (c: Context<AppEnv>) =>
    (name: string, value: string, maxAge: number, path = '/') =>
      serializeCookie(name, value, { secure: secure(c), maxAge, path });

  app.get('/auth/login', async (c) => {
    const cookie = cookieFor(c);
    const returnTo = c.req.query('return_to');
    const start = await getClient().start();
    const { id, hash } = newOpaqueId();
    const now = new Date();
    await store.accounts.sessions.deleteExpired(now.toISOString());
    await store.accounts.sessions.putPending({
      idHash: hash,
      state: start.state,
      nonce: start.nonce,
      codeVerifier: start.codeVerifier,
      returnTo: returnTo && LOCAL_PATH.test(returnTo) ? returnTo : config.after_login_path,
      expiresAt: new Date(now.getTime() + SIGNIN_TTL_SECONDS * 1000).toISOString(),
    });
    c.header('set-cookie', cookie(SIGNIN_COOKIE, id, SIGNIN_TTL_SECONDS, '/auth'));
    c.header('cache-control', 'no-store');
    return c.redirect(start.url.href, 302);
  });

  app.get('/auth/callback', async (c) => {
    const cookie = cookieFor(c);
    const refuse = async (e: AppError, reason: string, extra: Record<string, unknown> = {}) => {
      c.get('logger').warn(
        {
          requestId: c.get('requestId'),
          reason,
          code: e.code,
          cause: (e.cause as Error | undefined)?.message,
          ...extra,
        },
        'oidc sign-in refused',
      );
      await audit(c, { type: 'signin.refused', data: { reason } });
      c.header('set-cookie', cookie(SIGNIN_COOKIE, '', 0, '/auth'));
      return refusal(c, e);
    };
    const pendingId = readCookie(c.req.header('cookie'), SIGNIN_COOKIE);
    const pending = pendingId ? await store.accounts.sessions.takePending(hashOpaqueId(pendingId)) : null;
    if (!pending || Date.parse(pending.expiresAt) <= Date.now()) {
      return refuse(
        new AppError(
          'unauthorized',
          'Demande de connexion inconnue, expirée ou déjà utilisée : recommencez la connexion.',
        ),
        pendingId ? 'unknown_or_used_request' : 'no_signin_cookie',
      );
    }
    const query = new URL(c.req.url).searchParams;
    if (query.get('error')) {
      return refuse(
        new AppError('unauthorized', "Le fournisseur d'identité a refusé ou annulé la connexion."),
        'provider_error',
        { error: query.get('error')?.slice(0, 100) },
      );
    }
    if (query.get('state') !== pending.state) {
      return refuse(
        new AppError('unauthorized', 'Réponse de connexion invalide (state) : recommencez la connexion.'),
        'bad_state',
      );
    }
    const callbackUrl = new URL(config.redirect_url!);
    callbackUrl.search = query.toString();
    let result;
    try {
      const claims = await getClient().finish(callbackUrl, pending);
      result = await signInUser({ store, claims });
    } catch (e) {
      if (!isAppError(e)) throw e;
      return refuse(e, e.code === 'forbidden' ? 'not_allowed' : 'provider_response_rejected');
    }
    const session = await openSession({ store, user: result.user, ttlSeconds: config.session_ttl_seconds });
    c.get('logger').info(
      {
        requestId: c.get('requestId'),
        userId: result.user.id,
        orgId: result.organisation.id,
        created: result.created,
      },
      'oidc sign-in',
    );
    await audit(c, {
      type: 'signin.accepted',
      orgId: result.organisation.id,
      actor: {
        userId: result.user.id,
        orgId: result.organisation.id,
        via: 'session',
        requestId: c.get('requestId'),
      },
      data: { userCreated: result.created },
    });
    c.header('set-cookie', cookie(SIGNIN_COOKIE, '', 0, '/auth'));
    c.header('set-cookie', cookie(SESSION_COOKIE, session.id, config.session_ttl_seconds), { append: true });
    c.header('cache-control', 'no-store');
    return c.redirect(pending.returnTo, 303);
  });

  // Sign-in with an API key: the key is checked once, then the browser holds only a session cookie
  // (HttpOnly) that acts as the key, in every tab, until sign-out, the session's end or the key's
  // revocation. JSON body only: a form of another site cannot sign a browser in (login CSRF).
  app.post('/auth/key', async (c) => {
    c.header('cache-control', 'no-store');
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json'))
      throw new AppError(
        'unsupported_media_type',
        'Type de contenu non pris en charge : envoyez application/json.',
      );
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new AppError('invalid_json', "Le corps de la requête n'est pas un JSON valide.");
    }
    const presented = (body as { key?: unknown } | null)?.key;
    if (typeof presented !== 'string' || presented.length > 200)
      throw new AppError('invalid_request', 'Champ « key » attendu : la clé d’API (gch_…).', {
        param: 'key',
      });
    const principal = await authenticateApiKey(store, presented.trim());
    const key = (await store.accounts.keys.get(principal.keyId!))!;
    const ttl = services.config.accounts.session_ttl_seconds;
    await store.accounts.sessions.deleteExpired(new Date().toISOString());
    const session = await openSession({ store, key, ttlSeconds: ttl });
    c.get('logger').info({ requestId: c.get('requestId'), keyId: key.id, orgId: key.orgId }, 'key sign-in');
    c.header('set-cookie', cookieFor(c)(SESSION_COOKIE, session.id, maxAgeUntil(session.expiresAt)));
    return c.json({ authenticated: true, expires_at: session.expiresAt });
  });

  app.post('/auth/logout', async (c) => {
    const id = readCookie(c.req.header('cookie'), SESSION_COOKIE);
    if (id) await store.accounts.sessions.delete(hashOpaqueId(id));
    c.header('set-cookie', cookieFor(c)(SESSION_COOKIE, '', 0));
    c.header('cache-control', 'no-store');
    if (wantsHtml(c)) return c.redirect(config.after_login_path, 303);
    return c.json({ signed_out: true });
  });

  app.get('/auth/session', async (c) => {
    c.header('cache-control', 'no-store');
    const s = await findSession(store, c.req.header('cookie'));
    if (!s) {
      return c.json({ authenticated: false, sign_in_url: isOidcConfigured(config) ? '/auth/login' : null });
    }
    const org = await store.accounts.orgs.get(s.principal.orgId);
    return c.json({
      authenticated: true,
      via: s.key ? 'key' : 'person',
      role: s.principal.role,
      user: s.user ? { id: s.user.id, email: s.user.email, name: s.user.name, role: s.user.role } : null,
      key: s.key ? { id: s.key.id, name: s.key.name, prefix: `gch_${s.key.prefix}` } : null,
      organisation: { id: s.principal.orgId, name: org?.name ?? s.principal.orgId },
      expires_at: s.expiresAt,
    });
  });
}

/** Seconds from now until `iso` (at least 1): the cookie ends with the session. */
export function maxAgeUntil(iso: string, now = Date.now()): number {
  return Math.max(1, Math.floor((Date.parse(iso) - now) / 1000));
}

/** The browser reached us over HTTPS: the URL says so, or the first proxy in front does. */
export function isHttps(c: Context<AppEnv>): boolean {
  if (c.req.url.startsWith('https:')) return true;
  const proto = c.req.header('x-forwarded-proto');
  return proto !== undefined && proto.split(',')[0].trim().toLowerCase() === 'https';
}

function wantsHtml(c: Context<AppEnv>): boolean {
  return (c.req.header('accept') ?? '').includes('text/html');
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** A refused sign-in: a short French page for a browser, OpenAI-shaped JSON otherwise. */
function refusal(c: Context<AppEnv>, e: AppError): Response {
  c.header('cache-control', 'no-store');
  const status = e.status as ContentfulStatusCode;
  if (!wantsHtml(c)) return c.json(errorBody(e), status);
  return c.html(
    `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Connexion refusée – Guichet</title></head>` +
      `<body><main><h1>Connexion refusée</h1><p>${escapeHtml(e.message)}</p>` +
      `<p><a href="/auth/login">Recommencer la connexion</a></p></main></body></html>`,
    status,
  );
}
