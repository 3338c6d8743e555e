import type { LimitCheck, LimitResult } from './limiter.js';
import type { Principal, QuotaLimits, QuotaScope } from './model.js';
import { windowOf, type Period } from './windows.js';

/** What a counter measures; `credits` are counted in thousandths. */
export type Metric = 'requests' | 'tokens' | 'credits';

export interface PlannedCheck extends LimitCheck {
  metric: Metric;
  period: Period;
}

export interface ScopeLimits {
  scope: QuotaScope;
  id: string;
  limits: QuotaLimits;
}

const RULES: { metric: Metric; period: Period; pick: (l: QuotaLimits) => number | null }[] = [
  { metric: 'requests', period: 'minute', pick: (l) => l.requestsPerMinute },
  { metric: 'requests', period: 'day', pick: (l) => l.requestsPerDay },
  { metric: 'tokens', period: 'minute', pick: (l) => l.tokensPerMinute },
  { metric: 'tokens', period: 'day', pick: (l) => l.tokensPerDay },
  {
    metric: 'credits',
    period: 'month',
    pick: (l) => (l.monthlyCredits === null ? null : l.monthlyCredits * 1000),
  },
];

/** The scopes whose limits apply to a principal: its organisation, then its key. */
export function scopesOf(p: Principal, org: QuotaLimits, key: QuotaLimits | null): ScopeLimits[] {
  const out: ScopeLimits[] = [{ scope: 'org', id: p.orgId, limits: org }];
  if (p.keyId && key) out.push({ scope: 'key', id: p.keyId, limits: key });
  return out;
}

/**
 * Checks made before a request: one more request must fit, and token/credit counters must still
 * have room (their cost is only known after the call). Only limited metrics get a counter.
 */
export function requestChecks(scopes: ScopeLimits[], now: number): PlannedCheck[] {
  return plan(scopes, now, (m) => (m === 'requests' ? 1 : 0), true);
}

/** Unconditional additions made after a model call (tokens and thousandths of credits). */
export function chargeChecks(
  scopes: ScopeLimits[],
  now: number,
  tokens: number,
  milliCredits: number,
): PlannedCheck[] {
  return plan(
    scopes,
    now,
    (m) => (m === 'tokens' ? tokens : m === 'credits' ? milliCredits : 0),
    false,
  ).filter((c) => c.cost > 0);
}

function plan(
  scopes: ScopeLimits[],
  now: number,
  cost: (m: Metric) => number,
  enforce: boolean,
): PlannedCheck[] {
  const out: PlannedCheck[] = [];
  for (const s of scopes) {
    for (const r of RULES) {
      const limit = r.pick(s.limits);
      if (limit === null) continue;
      const w = windowOf(r.period, now);
      out.push({
        key: `${s.scope}:${s.id}:${r.metric}:${r.period}:${w.start}`,
        limit: enforce ? limit : null,
        cost: cost(r.metric),
        resetAt: w.end,
        metric: r.metric,
        period: r.period,
      });
    }
  }
  return out;
}

/** OpenAI's `x-ratelimit-*` headers for the tightest requests and tokens counters. */
export function rateLimitHeaders(
  checks: PlannedCheck[],
  result: LimitResult,
  now: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const metric of ['requests', 'tokens'] as const) {
    let best: { limit: number; remaining: number; reset: number } | null = null;
    checks.forEach((c, i) => {
      if (c.metric !== metric || c.limit === null) return;
      const remaining = Math.max(0, c.limit - result.used[i]);
      if (!best || remaining < best.remaining) best = { limit: c.limit, remaining, reset: c.resetAt - now };
    });
    if (!best) continue;
    const b = best as { limit: number; remaining: number; reset: number };
    headers[`x-ratelimit-limit-${metric}`] = String(b.limit);
    headers[`x-ratelimit-remaining-${metric}`] = String(b.remaining);
    headers[`x-ratelimit-reset-${metric}`] = formatDuration(b.reset);
  }
  return headers;
}

/** `42s`, `6m0s`, `3h12m5s` — the duration format OpenAI uses in its reset headers. */
export function formatDuration(ms: number): string {
  let s = Math.max(1, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return (h ? `${h}h` : '') + (h || m ? `${m}m` : '') + `${s}s`;
}
