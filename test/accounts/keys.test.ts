import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_CACHE_MS } from '../../src/accounts/authenticate-api-key.js';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';

let app: RunningApp;
let admin: string;

const get = (path: string, key?: string, init: RequestInit = {}) =>
  fetch(app.url + path, {
    ...init,
    headers: { ...(key ? bearer(key) : {}), ...(init.headers as Record<string, string>) },
  });
const post = (path: string, key: string, body: unknown, method = 'POST') =>
  fetch(app.url + path, { method, headers: bearer(key), body: JSON.stringify(body) });

beforeAll(async () => {
  app = await startTestApp();
  admin = await createTestKey(app.services.store, { role: 'admin' });
});
afterAll(() => app?.close());

describe('API keys', () => {
  it('keeps /health public and requires a key on every /v1 route', async () => {
    expect((await get('/health')).status).toBe(200);
    for (const [path, init] of [
      ['/v1/me', {}],
      ['/v1/search', { method: 'POST', body: '{"query":"x"}' }],
      ['/v1/keys', {}],
      ['/v1/does-not-exist', {}],
    ] as const) {
      const r = await get(path, undefined, init);
      expect(r.status, path).toBe(401);
      expect((await r.json()).error.code).toBe('invalid_api_key');
    }
  });

  it('refuses malformed, unknown and wrong keys with the same 401', async () => {
    const prefix = admin.slice(0, 12);
    const cases = [
      'Bearer',
      'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
      'Bearer gch_court',
      `Bearer gch_${'Z'.repeat(48)}`, // unknown prefix
      `Bearer ${prefix}${'a'.repeat(40)}`, // known prefix, wrong secret
    ];
    const bodies = new Set<string>();
    for (const authorization of cases) {
      const r = await fetch(app.url + '/v1/me', { headers: { authorization } });
      expect(r.status, authorization).toBe(401);
      bodies.add(JSON.stringify((await r.json()).error));
    }
    expect(bodies.size).toBe(1);
  });

  it('creates a key shown once, stores only its hash, lists it by prefix, revokes it', async () => {
    const created = await post('/v1/keys', admin, {
      name: 'Portail',
      role: 'developer',
      expires_in_days: 30,
    });
    expect(created.status).toBe(201);
    const k = await created.json();
    expect(k.key).toMatch(/^gch_[0-9A-Za-z]{48}$/);
    expect(k.prefix).toBe(k.key.slice(0, 12));
    expect(Date.parse(k.expires_at) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    // The secret is nowhere in the database files; its SHA-256 is.
    const files = ['guichet.sqlite', 'guichet.sqlite-wal'].map((f) => {
      try {
        return readFileSync(join(app.services.dir, f)).toString('latin1');
      } catch {
        return '';
      }
    });
    expect(files.some((f) => f.includes(k.key.slice(12)))).toBe(false);
    const stored = await app.services.store.accounts.keys.get(k.id);
    expect(stored!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(k.key.slice(12));

    const me = await (await get('/v1/me', k.key)).json();
    expect(me).toMatchObject({
      role: 'developer',
      via: 'key',
      organisation: { id: 'default' },
      key: { id: k.id, prefix: k.prefix },
    });
    expect(me.permissions).toContain('keys:manage');
    expect(me.permissions).not.toContain('users:manage');

    const list = await (await get('/v1/keys', admin)).json();
    const listed = list.data.find((x: { id: string }) => x.id === k.id);
    expect(listed.prefix).toBe(k.prefix);
    expect(JSON.stringify(list)).not.toContain(k.key);
    expect(listed.last_used_at).not.toBeNull();

    const revoked = await fetch(`${app.url}/v1/keys/${k.id}`, { method: 'DELETE', headers: bearer(admin) });
    expect(revoked.status).toBe(200);
    expect((await revoked.json()).revoked_at).not.toBeNull();
    expect((await get('/v1/me', k.key)).status).toBe(401);
  });

  it('refuses a key once it expires, even while it is remembered', async () => {
    // Valid for one more second (an hour-long validity that started 59 min 59 s ago).
    const { key, record } = await createApiKey({
      store: app.services.store,
      orgId: DEFAULT_ORG_ID,
      role: 'agent',
      expiresInDays: 1 / 24,
      now: Date.now() - 3_600_000 + 1_000,
    });
    expect((await get('/v1/me', key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, Date.parse(record.expiresAt!) - Date.now() + 20));
    const r = await get('/v1/me', key);
    expect(r.status).toBe(401);
    expect((await r.json()).error.code).toBe('invalid_api_key');
  });

  it('a revocation made by another process applies within KEY_CACHE_MS', async () => {
    const key = await createTestKey(app.services.store, { role: 'agent' });
    expect((await get('/v1/me', key)).status).toBe(200);
    // Written straight to the file, as another replica or `guichet keys revoke` would.
    (app.services.store as any).db
      .prepare('UPDATE api_keys SET revoked_at = ? WHERE prefix = ?')
      .run(new Date().toISOString(), key.slice(4, 12));
    await new Promise((r) => setTimeout(r, KEY_CACHE_MS + 20));
    expect((await get('/v1/me', key)).status).toBe(401);
  });

  it('writes the last-used time at most once a minute', async () => {
    const key = await createTestKey(app.services.store, { role: 'agent' });
    await get('/v1/me', key);
    const first = (await app.services.store.accounts.keys.findByPrefix(key.slice(4, 12)))!.lastUsedAt;
    await new Promise((r) => setTimeout(r, 5));
    await get('/v1/me', key);
    expect((await app.services.store.accounts.keys.findByPrefix(key.slice(4, 12)))!.lastUsedAt).toBe(first);
  });
});

describe('roles and permissions', () => {
  it('answers 403 when a role lacks the route permission', async () => {
    const agent = await createTestKey(app.services.store, { role: 'agent' });
    const developer = await createTestKey(app.services.store, { role: 'developer' });
    for (const [key, method, path, body] of [
      [agent, 'POST', '/v1/keys', { role: 'agent' }],
      [agent, 'GET', '/v1/usage', undefined],
      [developer, 'POST', '/v1/users', { email: 'x@mairie.fr' }],
      [developer, 'PUT', '/v1/quotas', { requests_per_minute: 1 }],
      [admin, 'POST', '/v1/organisations', { name: 'Autre' }],
      [admin, 'GET', '/v1/organisations', undefined],
    ] as const) {
      const r = await fetch(app.url + path, {
        method,
        headers: bearer(key),
        body: body && JSON.stringify(body),
      });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect((await r.json()).error.type).toBe('permission_error');
    }
  });

  it('does not let a key create a more powerful key', async () => {
    const developer = await createTestKey(app.services.store, { role: 'developer' });
    expect((await post('/v1/keys', developer, { role: 'admin' })).status).toBe(403);
    expect((await post('/v1/keys', developer, { role: 'developer' })).status).toBe(201);
  });

  it('lets a superadmin create organisations, and an admin only manage its own', async () => {
    const root = await createTestKey(app.services.store, { role: 'superadmin' });
    const r = await post('/v1/organisations', root, {
      id: 'mairie-a',
      name: 'Mairie A',
      siret: '21750001600019',
      email_domains: ['Mairie-A.fr'],
    });
    expect(r.status).toBe(201);
    expect((await r.json()).email_domains).toEqual(['mairie-a.fr']);
    expect((await post('/v1/organisations', root, { name: 'X', siret: '123' })).status).toBe(400);
    expect(
      (await (await get('/v1/organisations', root)).json()).data.map((o: { id: string }) => o.id),
    ).toContain('mairie-a');

    const users = await post('/v1/users', admin, { email: 'Agent@Exemple.fr', role: 'agent' });
    expect(users.status).toBe(201);
    expect((await users.json()).email).toBe('agent@exemple.fr');
    expect((await post('/v1/users', admin, { email: 'agent@exemple.fr' })).status).toBe(409);
    // Another organisation's id: same 404 as an unknown one.
    expect((await post('/v1/users', admin, { email: 'b@exemple.fr', org_id: 'mairie-a' })).status).toBe(404);
    expect((await post('/v1/users', admin, { email: 'b@exemple.fr', org_id: 'inconnue' })).status).toBe(404);
    expect((await post('/v1/users', root, { email: 'b@mairie-a.fr', org_id: 'mairie-a' })).status).toBe(201);

    const other = await createTestKey(app.services.store, { orgId: 'mairie-a', role: 'admin' });
    const otherKey = (await (await get('/v1/keys', other)).json()).data[0];
    expect(
      (await fetch(`${app.url}/v1/keys/${otherKey.id}`, { method: 'DELETE', headers: bearer(admin) })).status,
    ).toBe(404);
    expect((await get('/v1/keys', admin)).ok).toBe(true);
    expect(JSON.stringify(await (await get('/v1/keys', admin)).json())).not.toContain(otherKey.id);
  });

  it('rejects quota values that make no sense with 400', async () => {
    for (const body of [
      { requests_per_minute: -1 },
      { tokens_per_day: 1.5 },
      { monthly_credits: 'beaucoup' },
    ]) {
      const r = await post('/v1/quotas', admin, body, 'PUT');
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
  });
});
