import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import { ensureDefaultOrganisation } from '../../src/accounts/create-organisation.js';
import type { RateLimiter } from '../../src/accounts/limiter.js';
import { DEFAULT_ORG_ID, type Role } from '../../src/accounts/model.js';
import { composeServices } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import type { EgressFetch } from '../../src/models/http-client.js';
import type { Services } from '../../src/services.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/spec.js';

/** Creates (if needed) the organisation and an API key of this role in it; returns the key. */
export async function createTestKey(
  store: Store,
  o: { orgId?: string; role?: Role; name?: string; expiresInDays?: number } = {},
): Promise<string> {
  const orgId = o.orgId ?? DEFAULT_ORG_ID;
  if (!(await store.accounts.orgs.get(orgId)))
    await store.accounts.orgs.create({ id: orgId, name: `Organisation ${orgId}` });
  const created = await createApiKey({
    store,
    orgId,
    role: o.role ?? 'admin',
    name: o.name ?? 'test',
    expiresInDays: o.expiresInDays,
  });
  return created.key;
}

/** Services on a fresh SQLite data folder (or the store given), with the default organisation. */
export async function testServices(
  o: {
    limiter?: RateLimiter;
    egress?: EgressFetch;
    config?: Record<string, unknown>;
    store?: (dir: string) => Promise<Store>;
  } = {},
): Promise<Services & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-accounts-'));
  const config = loadConfig({
    env: {},
    file: undefined,
    overrides: { data_dir: dir, log_level: 'silent', ...o.config },
  });
  const store = o.store ? await o.store(dir) : openSqliteStore(dir);
  await ensureDefaultOrganisation(store, DEFAULT_ORG_ID);
  return { ...composeServices({ config, store, env: {}, limiter: o.limiter, egress: o.egress }), dir };
}

export interface RunningApp {
  url: string;
  services: Services & { dir: string };
  close(): Promise<void>;
}

/** The real app on a loopback port chosen by the system. */
export async function startTestApp(o: Parameters<typeof testServices>[0] = {}): Promise<RunningApp> {
  const services = await testServices(o);
  const app = createApp(services);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    services,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await services.close();
      rmSync(services.dir, { recursive: true, force: true });
    },
  };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
}
