import type { Principal } from './model.js';

/**
 * Hook for browser sessions (OIDC sign-in): given the request's Cookie header, returns the
 * signed-in principal (`via: 'session'`) or null. The auth middleware calls it when a request has
 * no Bearer key; the OIDC work provides the implementation through `Services.resolveSession`.
 */
export type SessionResolver = (cookieHeader: string) => Promise<Principal | null>;
