import type { MiddlewareHandler } from 'hono';
import type { AccountsDeps } from '../../accounts/deps.js';
import { enforceQuota } from '../../accounts/enforce-quota.js';
import type { AppEnv } from '../env.js';
import { isBilled } from './billed.js';

/**
 * Counts the request against the organisation's and the key's limits before the handler runs.
 * Over a limit: 429 (`rate_limit_exceeded` or `insufficient_quota`) with `x-ratelimit-*` headers
 * and Retry-After; otherwise the same headers on the response. Only model and search calls are
 * counted (`billed.ts`).
 */
export function enforceQuotas(deps: AccountsDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isBilled(c.req.method, c.req.path)) return next();
    const headers = await enforceQuota(deps, c.get('principal'));
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    return next();
  };
}
