import { describe, expect, it } from 'vitest';
import { runAsActor } from '../privacy/audit-context.js';
import { Semaphore } from './semaphore.js';

describe('Semaphore at max_concurrency', () => {
  it('serves waiting organisations round-robin, not in arrival order', async () => {
    const s = new Semaphore(1);
    const release = await s.acquire();
    const order: string[] = [];
    const wait = (org: string, name: string) =>
      runAsActor({ orgId: org }, () => s.acquire()).then((r) => {
        order.push(name);
        r();
      });
    // Organisation A floods the provider first; B arrives after A's three calls.
    const all = [wait('a', 'a1'), wait('a', 'a2'), wait('a', 'a3'), wait('b', 'b1')];
    release();
    await Promise.all(all);
    expect(order).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it('an aborted wait leaves its queue', async () => {
    const s = new Semaphore(1);
    const release = await s.acquire();
    const controller = new AbortController();
    const aborted = runAsActor({ orgId: 'a' }, () => s.acquire(controller.signal));
    const other = runAsActor({ orgId: 'b' }, () => s.acquire());
    controller.abort(new Error('parti'));
    await expect(aborted).rejects.toThrow('parti');
    release();
    (await other)();
    expect(s.inFlight).toBe(0);
  });
});
