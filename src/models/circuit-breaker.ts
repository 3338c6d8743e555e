/**
 * Per-target circuit breaker: after `threshold` consecutive failures the target is skipped for
 * `openMs`; then one probe is let through (half-open): success closes it, failure reopens it.
 */
export interface BreakerOptions {
  threshold?: number;
  openMs?: number;
  now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly now: () => number;

  constructor(options: BreakerOptions = {}) {
    this.threshold = options.threshold ?? 3;
    this.openMs = options.openMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.openMs ? 'half-open' : 'open';
  }

  /** Milliseconds until a probe is allowed (0 when closed or half-open). */
  get retryInMs(): number {
    return this.openedAt === null ? 0 : Math.max(0, this.openedAt + this.openMs - this.now());
  }

  /** Whether a call may go through now; in half-open, only one probe at a time. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
  }

  failure(): void {
    this.failures++;
    if (this.probing || this.failures >= this.threshold) this.openedAt = this.now();
    this.probing = false;
  }

  /** The call ended without telling anything about the target (caller abort, bad request). */
  release(): void {
    this.probing = false;
  }
}
