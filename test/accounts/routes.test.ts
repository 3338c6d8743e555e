import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../../src/accounts/authenticate-api-key.js';
import { createApp } from '../../src/http/app.js';
import {
  compileRoutes,
  permissionFor,
  ROUTE_PERMISSIONS,
} from '../../src/http/middleware/route-permissions.js';
import { createLimiter } from '../../src/store/redis/create-limiter.js';
import { createTestKey, testServices } from '../helpers/accounts.js';

let services: Awaited<ReturnType<typeof testServices>>;
beforeAll(async () => {
  services = await testServices();
});
afterAll(() => services?.store.close());

describe('route → permission map', () => {
  it('declares a permission for every /v1 route of the app (a new route must be added to the map)', () => {
    const app = createApp(services);
    const compiled = compileRoutes(ROUTE_PERMISSIONS);
    const v1 = app.routes.filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL');
    expect(v1.length).toBeGreaterThan(5);
    for (const r of v1) {
      const concrete = r.path.replace(/:[^/]+/g, 'x');
      expect(permissionFor(compiled, r.method, concrete), `${r.method} ${r.path}`).not.toBeNull();
    }
  });

  it('refuses a Redis limiter without redis_url at start', () => {
    expect(() =>
      createLimiter(
        {
          ...services.config,
          accounts: { ...services.config.accounts, limiter: 'redis' },
          redis_url: undefined,
        },
        services.store,
      ),
    ).toThrow(/REDIS_URL/);
  });
});

describe('key lookup timing', () => {
  it('takes about the same time for an unknown key and a wrong secret', async () => {
    const key = await createTestKey(services.store, { role: 'agent' });
    const unknown = 'gch_' + 'Q'.repeat(48);
    const wrong = key.slice(0, 12) + 'Q'.repeat(40);
    const time = async (k: string) => {
      const t = process.hrtime.bigint();
      await authenticateApiKey(services.store, k).catch(() => null);
      return Number(process.hrtime.bigint() - t);
    };
    for (let i = 0; i < 200; i++) await time(i % 2 ? unknown : wrong); // warm-up
    // Interleaved one by one, so that the load of a shared machine weighs on both sides alike.
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 1001; i++) {
      a.push(await time(unknown));
      b.push(await time(wrong));
    }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[500];
    const ratio = median(a) / median(b);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.67);
  });
});
