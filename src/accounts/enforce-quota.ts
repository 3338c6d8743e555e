import { AppError } from '../shared/errors.js';
import type { AccountsDeps } from './deps.js';
import type { Principal, QuotaLimits } from './model.js';
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

/** Limits in force for a principal: stored ones (admin API) win over the configured defaults. */
export async function scopesFor(deps: AccountsDeps, p: Principal): Promise<ScopeLimits[]> {
  const quotas = deps.store.accounts.quotas;
  const org = (await quotas.get('org', p.orgId)) ?? limitsFromConfig(deps.config.quotas.org);
  const key = p.keyId
    ? ((await quotas.get('key', p.keyId)) ?? limitsFromConfig(deps.config.quotas.key))
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
