import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../../store/spec.js';
import type { Principal, User } from '../model.js';
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

/** Opens a session for a signed-in user; returns the id to put in the cookie (never stored). */
export async function openSession(o: {
  store: Store;
  user: User;
  ttlSeconds: number;
  now?: Date;
}): Promise<{ id: string; expiresAt: string }> {
  const now = o.now ?? new Date();
  const { id, hash } = newOpaqueId();
  const expiresAt = new Date(now.getTime() + o.ttlSeconds * 1000).toISOString();
  await o.store.accounts.sessions.create({
    idHash: hash,
    userId: o.user.id,
    orgId: o.user.orgId,
    createdAt: now.toISOString(),
    expiresAt,
  });
  return { id, expiresAt };
}

export interface SessionInfo {
  user: User;
  expiresAt: string;
  idHash: string;
}

/**
 * The live session of a Cookie header: unknown, expired (deleted on sight) or orphaned sessions
 * give null. The role and organisation are read from the user each time, so a change applies at once.
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
  if (Date.parse(session.expiresAt) <= now.getTime()) {
    await store.accounts.sessions.delete(idHash);
    return null;
  }
  const user = await store.accounts.users.get(session.userId);
  if (!user || user.orgId !== session.orgId) {
    await store.accounts.sessions.delete(idHash);
    return null;
  }
  return { user, expiresAt: session.expiresAt, idHash };
}

/** `Services.resolveSession`: the principal of a browser session, for the /v1 auth middleware. */
export function sessionResolver(store: Store): SessionResolver {
  return async (cookieHeader) => {
    const s = await findSession(store, cookieHeader);
    if (!s) return null;
    const principal: Principal = {
      orgId: s.user.orgId,
      userId: s.user.id,
      keyId: null,
      role: s.user.role,
      via: 'session',
    };
    return principal;
  };
}
