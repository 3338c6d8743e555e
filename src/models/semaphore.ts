import { currentActor } from '../privacy/audit-context.js';

/**
 * Limits concurrent work (a provider's `max_concurrency`). When it is full, waiting callers are
 * served round-robin between organisations (the request's organisation, carried by the audit
 * context), first come first served within one: an organisation sending 16 streams at once waits
 * behind its own, not in front of everyone else's.
 */
export class Semaphore {
  private active = 0;
  /** Waiting grants by organisation; the map's order is the round-robin order. */
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(
    readonly limit: number,
    private readonly tenantOf: () => string = () => currentActor()?.orgId ?? '',
  ) {}

  get inFlight(): number {
    return this.active;
  }

  /** Resolves with a release function (idempotent). Rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.limit && this.waiting.size === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    const tenant = this.tenantOf();
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve(this.releaser());
      };
      const onAbort = () => {
        const queue = this.waiting.get(tenant);
        const i = queue?.indexOf(grant) ?? -1;
        if (queue && i >= 0) {
          queue.splice(i, 1);
          if (!queue.length) this.waiting.delete(tenant);
        }
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.waiting.get(tenant);
      if (queue) queue.push(grant);
      else this.waiting.set(tenant, [grant]);
    });
  }

  private next(): void {
    const first = this.waiting.entries().next();
    if (first.done) return;
    const [tenant, queue] = first.value;
    const grant = queue.shift()!;
    // The organisation goes to the back of the round.
    this.waiting.delete(tenant);
    if (queue.length) this.waiting.set(tenant, queue);
    grant();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      this.next();
    };
  }
}
