import { AppError } from '../shared/errors.js';
import type { AccountsDeps } from './deps.js';
import { accountsGeneration, lookupCache } from './lookup-cache.js';
import type { Principal, QuotaLimits, QuotaScope } from './model.js';
import { rateLimitHeaders, requestChecks, scopesOf, type ScopeLimits } from './quotas.js';
import type { QuotaLimitsConfig } from './config.js';

export function limitsFromConfig(c: QuotaLimitsConfig): QuotaLimits {
  return {
    requestsPerMinute: c.requests_per_minute,
    requestsPerDay: c.requests_per_day,
    tokensPerMinute: c.tokens_per_minute,
    tokensPerDay: c.tokens_per_day,
    monthlyCredits: c.monthly_credits,
  };
}

/** How long stored limits are kept in memory (see lookup-cache.ts: a change here applies at once). */
export const LIMITS_CACHE_MS = 2_000;

/** Stored limits of an organisation or key (null: none stored), remembered for `LIMITS_CACHE_MS`. */
async function storedLimits(deps: AccountsDeps, scope: QuotaScope, id: string): Promise<QuotaLimits | null> {
  const cache = lookupCache<QuotaLimits | null>(deps.store, 'quotas', LIMITS_CACHE_MS);
  const key = `${scope}:${id}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const readAt = accountsGeneration();
  const limits = await deps.store.accounts.quotas.get(scope, id);
  cache.set(key, limits, readAt);
  return limits;
}

/** Limits in force for a principal: stored ones (admin API) win over the configured defaults. */
export async function scopesFor(deps: AccountsDeps, p: Principal): Promise<ScopeLimits[]> {
  const org = (await storedLimits(deps, 'org', p.orgId)) ?? limitsFromConfig(deps.config.quotas.org);
  const key = p.keyId
    ? ((await storedLimits(deps, 'key', p.keyId)) ?? limitsFromConfig(deps.config.quotas.key))
    : null;
  return scopesOf(p, org, key);
}

/**
 * Counts one request against every limit of the principal's organisation and key. Returns the
 * `x-ratelimit-*` headers; over a limit, throws a 429 carrying them with Retry-After
 * (`insufficient_quota` when the monthly credits are spent).
 */
export async function enforceQuota(
  deps: AccountsDeps,
  p: Principal,
  now = Date.now(),
): Promise<Record<string, string>> {
  const checks = requestChecks(await scopesFor(deps, p), now);
  if (checks.length === 0) return {};
  const result = await deps.limiter.consume(checks, now);
  const headers = rateLimitHeaders(checks, result, now);
  if (result.allowed) return headers;
  const denied = checks[result.denied];
  headers['retry-after'] = String(Math.max(1, Math.ceil((denied.resetAt - now) / 1000)));
  const who = denied.key.startsWith('org:') ? "de l'organisation" : 'de la clé';
  if (denied.metric === 'credits') {
    throw new AppError(
      'insufficient_quota',
      `Les crédits mensuels ${who} sont épuisés ; ils seront renouvelés le mois prochain.`,
      { headers },
    );
  }
  const what = denied.metric === 'requests' ? 'requêtes' : 'jetons';
  const per = { minute: 'par minute', day: 'par jour', month: 'par mois' }[denied.period];
  throw new AppError(
    'rate_limit_exceeded',
    `Limite de ${what} ${per} ${who} atteinte (${denied.limit}). Réessayez dans ${headers['retry-after']} s.`,
    { headers },
  );
}
