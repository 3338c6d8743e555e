/**
 * The `dpo` role: reads privacy (a person's export), audit, usage and the list of people; changes
 * nothing but their own register, the inventory of AI tools. Granted by an admin; stored by both adapters (SQLite migration 12, PostgreSQL 11).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';

const CI = process.env.CI === 'true';
const pgReason = await unreachableReason();
if (pgReason && !CI) console.log(`[dpo] PostgreSQL part skipped: ${pgReason}`);

let app: RunningApp;
let admin: string;
let dpo: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await createTestKey(app.services.store, { role: 'admin', name: 'admin' });
  const created = await fetch(`${app.url}/v1/keys`, {
    method: 'POST',
    headers: bearer(admin),
    body: JSON.stringify({ name: 'Déléguée à la protection des données', role: 'dpo' }),
  });
  expect(created.status).toBe(201);
  dpo = ((await created.json()) as { key: string }).key;
});
afterAll(() => app?.close());

const call = (method: string, path: string, key: string, body?: unknown) =>
  fetch(`${app.url}${path}`, { method, headers: bearer(key), body: body ? JSON.stringify(body) : undefined });

describe('dpo role', () => {
  it('reads privacy, audit, usage and the people, and changes nothing', async () => {
    const user = (await (
      await call('POST', '/v1/users', admin, { email: 'agent@mairie.fr', name: 'Agente', role: 'agent' })
    ).json()) as { id: string };
    for (const path of [
      '/v1/me',
      '/v1/usage',
      '/v1/admin/audit',
      '/v1/admin/data-flows',
      '/v1/admin/retention',
      '/v1/users',
      `/v1/privacy/users/${user.id}/export`,
    ])
      expect((await call('GET', path, dpo)).status, path).toBe(200);
    const audit = (await (await call('GET', '/v1/admin/audit', dpo)).json()) as {
      data: { type: string; actor_name: string | null }[];
    };
    expect(audit.data.filter((e) => e.type === 'key.created').at(-1)?.actor_name).toBe('clé « admin »');
    for (const [method, path, body] of [
      ['POST', '/v1/keys', { name: 'x', role: 'agent' }],
      ['PUT', '/v1/quotas', { requests_per_minute: 1 }],
      ['POST', '/v1/users', { email: 'x@mairie.fr', role: 'agent' }],
      ['DELETE', `/v1/privacy/users/${user.id}`, undefined],
      ['POST', '/v1/collections', { name: 'x' }],
      ['POST', '/v1/conversations/new/messages', { content: 'Bonjour' }],
      ['POST', '/v1/search', { query: 'passeport' }],
    ] as const)
      expect((await call(method, path, dpo, body)).status, `${method} ${path}`).toBe(403);
    // The inventory of AI tools is the DPO's register: they keep it.
    expect((await call('POST', '/v1/admin/ai-tools', dpo, { name: 'Traducteur' })).status).toBe(201);
    // An admin may erase; the person is gone.
    expect((await call('DELETE', `/v1/privacy/users/${user.id}`, admin)).status).toBe(200);
  });

  it('cannot be granted by a developer', async () => {
    const dev = await createTestKey(app.services.store, { role: 'developer' });
    const r = await call('POST', '/v1/keys', dev, { name: 'dpo', role: 'dpo' });
    expect(r.status).toBe(403);
  });
});

describe.skipIf(pgReason !== null && !CI)('dpo role on PostgreSQL', () => {
  it('stores a dpo key (migration 11 relaxed the role checks)', async () => {
    const db = await createDatabase();
    const store = await openPostgresStore({ url: db.url, maxConnections: 2 });
    try {
      await store.accounts.orgs.create({ id: DEFAULT_ORG_ID, name: 'Mairie' });
      const k = await createApiKey({ store, orgId: DEFAULT_ORG_ID, role: 'dpo', name: 'dpo' });
      expect((await store.accounts.keys.get(k.record.id))?.role).toBe('dpo');
      await expect(
        createApiKey({ store, orgId: DEFAULT_ORG_ID, role: 'inconnu' as never, name: 'x' }),
      ).rejects.toThrow();
    } finally {
      await store.close();
      await dropDatabase(db.name);
    }
  });
});

describe('retention durations from the privacy screen', () => {
  it('the instance operator changes them (audited, read back, used for the conversations); others read them only', async () => {
    const superadmin = await createTestKey(app.services.store, { role: 'superadmin', name: 'exploitant' });
    const before = (await (await call('GET', '/v1/admin/retention', dpo)).json()) as {
      source: string;
      editable: boolean;
      retention: Record<string, number>;
    };
    expect(before).toMatchObject({ source: 'configuration', editable: false });
    expect((await call('PUT', '/v1/admin/retention', dpo, { conversations_days: 30 })).status).toBe(403);
    expect((await call('PUT', '/v1/admin/retention', admin, { conversations_days: 30 })).status).toBe(403);
    const bad = await call('PUT', '/v1/admin/retention', superadmin, { conversations_days: -3 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /jours entre 0 et 3650/,
    );
    const put = await call('PUT', '/v1/admin/retention', superadmin, {
      conversations_days: 30,
      documents_days: 400,
    });
    expect(put.status).toBe(200);
    const after = (await (await call('GET', '/v1/admin/retention', admin)).json()) as typeof before;
    expect(after.source).toBe('stored');
    expect(after.retention).toMatchObject({
      conversations_days: 30,
      documents_days: 400,
      usage_days: before.retention.usage_days,
    });
    const list = (await (await call('GET', '/v1/conversations', admin)).json()) as { retention_days: number };
    expect(list.retention_days).toBe(30);
    const audit = (await (await call('GET', '/v1/admin/audit?limit=500', superadmin)).json()) as {
      data: { type: string; data: { after?: Record<string, number> } }[];
    };
    expect(
      audit.data.find((e) => e.type === 'privacy.retention_changed')?.data.after?.conversations_days,
    ).toBe(30);
  });
});
