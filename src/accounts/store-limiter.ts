import type { CounterRepo } from '../store/accounts-spec.js';
import type { LimitCheck, LimitResult, RateLimiter } from './limiter.js';

/**
 * In-process adapter: counters persisted in the Store (they survive a restart). Atomicity is the
 * repo's job (SQLite: one immediate transaction). Expired counters are swept at most once a minute.
 */
export class StoreRateLimiter implements RateLimiter {
  private lastSweep = 0;
  constructor(private readonly counters: CounterRepo) {}

  async consume(checks: LimitCheck[], now: number): Promise<LimitResult> {
    if (now - this.lastSweep > 60_000) {
      this.lastSweep = now;
      await this.counters.sweep(now);
    }
    return this.counters.consume(checks, now);
  }
}
