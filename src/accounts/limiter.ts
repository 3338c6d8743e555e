/**
 * The `RateLimiter` spec. Counters live in fixed windows keyed by the window's start (the key is
 * built by the caller, see `windows.ts`), so an adapter only needs atomic arithmetic. Adapters:
 * `store-limiter.ts` (counters in the Store, for one process) and `store/redis/limiter.ts`
 * (several replicas).
 */
export interface LimitCheck {
  /** Counter key, including the window start, e.g. `key:abc:requests:minute:29123456`. */
  key: string;
  /** Maximum for the window; `null` = no check (the cost is added unconditionally). */
  limit: number | null;
  /** Amount added when the whole batch is allowed (0 = only check that the counter has room). */
  cost: number;
  /** End of the window (epoch ms): the counter may be forgotten after it. */
  resetAt: number;
}

export interface LimitResult {
  allowed: boolean;
  /** Counter values after the call (unchanged when refused), in the order of the checks. */
  used: number[];
  /** Index of the first check that refused, or -1. */
  denied: number;
}

export interface RateLimiter {
  /**
   * Atomically: when every limited check has room (`used < limit` and `used + cost <= limit`), adds
   * each cost to its counter and allows; otherwise changes nothing and refuses. Exact under
   * concurrency, including between processes sharing the same backend.
   */
  consume(checks: LimitCheck[], now: number): Promise<LimitResult>;
  close?(): Promise<void>;
}

/** The rule both adapters apply (the Redis Lua script mirrors it). */
export function fits(used: number, check: Pick<LimitCheck, 'limit' | 'cost'>): boolean {
  return check.limit === null || (used < check.limit && used + check.cost <= check.limit);
}
