import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordUsage } from '../../src/accounts/record-usage.js';
import { StoreRateLimiter } from '../../src/accounts/store-limiter.js';
import type { RateLimiter } from '../../src/accounts/limiter.js';
import { RedisRateLimiter } from '../../src/store/redis/limiter.js';
import { accountsDeps } from '../../src/http/middleware/accounts.js';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';
import { redisAvailable, REDIS_URL } from '../helpers/redis.js';

const redisUp = await redisAvailable();

type Adapter = { name: string; make: (app?: RunningApp) => RateLimiter | undefined; skip: boolean };
const adapters: Adapter[] = [
  { name: 'in-process (SQLite counters)', make: () => undefined, skip: false },
  // A namespace per run: the real server may hold counters of earlier runs.
  {
    name: 'Redis',
    make: () => new RedisRateLimiter(REDIS_URL, `guichet-test:${process.pid}:${Date.now()}:`),
    skip: !redisUp,
  },
];

for (const adapter of adapters) {
  describe.skipIf(adapter.skip)(`rate limits — ${adapter.name}`, () => {
    let app: RunningApp;
    let admin: string;

    beforeAll(async () => {
      app = await startTestApp({ limiter: adapter.make() });
      admin = await createTestKey(app.services.store, { role: 'admin' });
      if (!app.services.limiter) accountsDeps(app.services); // built by the app from the config
      expect(app.services.limiter).toBeInstanceOf(
        adapter.name === 'Redis' ? RedisRateLimiter : StoreRateLimiter,
      );
    });
    afterAll(() => app?.close());
    // Quotas count model and search calls only (screen reads are not billed): a search here.
    const search = (key: string) =>
      fetch(`${app.url}/v1/search`, {
        method: 'POST',
        headers: bearer(key),
        body: JSON.stringify({ query: 'passeport', k: 1 }),
      });

    it('lets exactly 10 of 100 parallel requests through a key limited to 10 per minute', async () => {
      const created = await (
        await fetch(`${app.url}/v1/keys`, {
          method: 'POST',
          headers: bearer(admin),
          body: JSON.stringify({ role: 'agent' }),
        })
      ).json();
      const set = await fetch(`${app.url}/v1/quotas`, {
        method: 'PUT',
        headers: bearer(admin),
        body: JSON.stringify({ key_id: created.id, requests_per_minute: 10 }),
      });
      expect(set.status).toBe(200);

      // Fixed windows: keep the burst inside one minute.
      const left = 60_000 - (Date.now() % 60_000);
      if (left < 8_000) await new Promise((r) => setTimeout(r, left + 50));
      const responses = await Promise.all(Array.from({ length: 100 }, () => search(created.key)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(90);

      const refused = responses.find((r) => r.status === 429)!;
      const body = await refused.json();
      expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
      expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('10');
      expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(refused.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+m)?\d+s$/);
      const retry = Number(refused.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(60);
      const ok = responses.find((r) => r.status === 200)!;
      expect(ok.headers.get('x-ratelimit-limit-requests')).toBe('10');
      await Promise.all(responses.map((r) => (r.bodyUsed ? null : r.body?.cancel())));

      // Another key of the same organisation is not affected by this key's limit.
      expect((await search(admin)).status).toBe(200);
    });

    it('applies new limits to the very next request, even those of a key just used', async () => {
      const key = await createTestKey(app.services.store, { role: 'agent' });
      const left = 60_000 - (Date.now() % 60_000);
      if (left < 8_000) await new Promise((r) => setTimeout(r, left + 50));
      // No limit yet: remembered as such for a moment (lookup-cache.ts).
      expect((await search(key)).status).toBe(200);
      const keyId = (await (await fetch(`${app.url}/v1/me`, { headers: bearer(key) })).json()).key.id;
      const set = await fetch(`${app.url}/v1/quotas`, {
        method: 'PUT',
        headers: bearer(admin),
        body: JSON.stringify({ key_id: keyId, requests_per_minute: 2 }),
      });
      expect(set.status).toBe(200);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await search(key)).status);
      expect(statuses).toEqual([200, 200, 429]);
    });

    it('answers 429 insufficient_quota once the monthly credits are spent', async () => {
      const orgId = `org-credits-${adapter.name.length}`;
      const key = await createTestKey(app.services.store, { orgId, role: 'admin' });
      await fetch(`${app.url}/v1/quotas`, {
        method: 'PUT',
        headers: bearer(key),
        body: JSON.stringify({ monthly_credits: 2, tokens_per_minute: 1_000_000 }),
      });
      expect((await search(key)).status).toBe(200);

      // What a model route reports through recordUsage: 2,500 tokens = 2.5 credits at 1,000 tokens per credit.
      const deps = accountsDeps(app.services);
      const principal = { orgId, userId: null, keyId: null, role: 'admin' as const, via: 'key' as const };
      const base = {
        principal,
        endpoint: 'POST /v1/chat/completions',
        model: 'test-model',
        latencyMs: 1,
        ttftMs: null,
        status: 200,
      };
      await recordUsage(deps, { ...base, promptTokens: 1000, completionTokens: 500 });
      expect((await search(key)).status).toBe(200); // 1.5 < 2 credits
      await recordUsage(deps, { ...base, promptTokens: 600, completionTokens: 400 });

      const r = await search(key);
      expect(r.status).toBe(429);
      expect((await r.json()).error).toMatchObject({
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.headers.get('x-ratelimit-limit-tokens')).toBe('1000000');
      expect(r.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1_000_000 - 2500));
    });
  });
}
