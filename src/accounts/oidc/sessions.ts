import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../../store/spec.js';
import type { ApiKey, Principal, User } from '../model.js';
import type { SessionResolver } from '../session.js';

export const SESSION_COOKIE = 'guichet_session';
export const SIGNIN_COOKIE = 'guichet_oidc';

/** A random id for a browser (256 bits, base64url) and the hash the store keeps of it. */
export function newOpaqueId(): { id: string; hash: string } {
  const id = randomBytes(32).toString('base64url');
  return { id, hash: hashOpaqueId(id) };
}

export function hashOpaqueId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** Header carrying the CSRF token of a cookie session on every state-changing request. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token of the session named by a Cookie header (null without one): a hash of the session
 * id, so it needs no storage, is the same on every replica and changes with the session. Another
 * site cannot read it (`GET /v1/me` is same-origin only) nor compute it (the cookie is HttpOnly).
 */
export function csrfTokenFor(cookieHeader: string | undefined): string | null {
  const id = readCookie(cookieHeader, SESSION_COOKIE);
  return id ? createHash('sha256').update(`guichet-csrf:${id}`).digest('base64url') : null;
}

/** Reads one cookie from a Cookie header; values that are not ids of ours are ignored. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (/^[A-Za-z0-9_-]{20,100}$/.test(value)) return value;
  }
  return null;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  path?: string;
}

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [
    `${name}=${value}`,
    `Path=${o.path ?? '/'}`,
    `Max-Age=${o.maxAge}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (o.maxAge === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * Opens a session for a signed-in user (OIDC, set-up) or for an API key (key sign-in: the session
 * then acts as that key, with its role and quotas, and ends when the key is revoked or expires).
 * Returns the id to put in the cookie (never stored).
 */
export async function openSession(o: {
  store: Store;
  ttlSeconds: number;
  now?: Date;
  user?: User;
  key?: ApiKey;
}): Promise<{ id: string; expiresAt: string }> {
  const now = o.now ?? new Date();
  const { id, hash } = newOpaqueId();
  let expiresAt = new Date(now.getTime() + o.ttlSeconds * 1000).toISOString();
  // A key session never outlives its key.
  if (o.key?.expiresAt && o.key.expiresAt < expiresAt) expiresAt = o.key.expiresAt;
  const orgId = o.key?.orgId ?? o.user?.orgId;
  if (!orgId) throw new Error('openSession needs a user or a key');
  await o.store.accounts.sessions.create({
    idHash: hash,
    userId: o.key ? o.key.userId : o.user!.id,
    keyId: o.key?.id ?? null,
    orgId,
    createdAt: now.toISOString(),
    expiresAt,
  });
  return { id, expiresAt };
}

export interface SessionInfo {
  /** The person signed in; null for a session opened with a key that belongs to no one. */
  user: User | null;
  /** The key a key sign-in opened the session with. */
  key: ApiKey | null;
  principal: Principal;
  expiresAt: string;
  idHash: string;
}

/**
 * The live session of a Cookie header: unknown, expired (deleted on sight) or orphaned sessions
 * give null, and so does a key session whose key was revoked or has expired. The role and
 * organisation are read from the user (or the key) each time, so a change applies at once.
 */
export async function findSession(
  store: Store,
  cookieHeader: string | undefined,
  now = new Date(),
): Promise<SessionInfo | null> {
  const id = readCookie(cookieHeader, SESSION_COOKIE);
  if (!id) return null;
  const idHash = hashOpaqueId(id);
  const session = await store.accounts.sessions.get(idHash);
  if (!session) return null;
  const end = async () => {
    await store.accounts.sessions.delete(idHash);
    return null;
  };
  if (Date.parse(session.expiresAt) <= now.getTime()) return end();
  if (session.keyId) {
    const key = await store.accounts.keys.get(session.keyId);
    if (!key || key.orgId !== session.orgId || key.revokedAt !== null) return end();
    if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime()) return end();
    const user = key.userId ? await store.accounts.users.get(key.userId) : null;
    return {
      user,
      key,
      principal: { orgId: key.orgId, userId: key.userId, keyId: key.id, role: key.role, via: 'session' },
      expiresAt: session.expiresAt,
      idHash,
    };
  }
  const user = session.userId ? await store.accounts.users.get(session.userId) : null;
  if (!user || user.orgId !== session.orgId) return end();
  return {
    user,
    key: null,
    principal: { orgId: user.orgId, userId: user.id, keyId: null, role: user.role, via: 'session' },
    expiresAt: session.expiresAt,
    idHash,
  };
}

/** `Services.resolveSession`: the principal of a browser session, for the /v1 auth middleware. */
export function sessionResolver(store: Store): SessionResolver {
  return async (cookieHeader) => (await findSession(store, cookieHeader))?.principal ?? null;
}
