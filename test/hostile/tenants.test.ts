/**
 * Tenant boundaries (issue 18) through the real HTTP API on SQLite and PostgreSQL: an e-mail
 * domain claimed by an organisation is its own, an address known elsewhere is not revealed,
 * quotas set by a superadmin are a ceiling for the organisation's admins, and instance-wide
 * statistics (audit chain size, outbound requests) are for superadmins only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKey, type RunningApp } from '../helpers/accounts.js';
import { engineMissing, startEngineApp, type Engine } from './app.js';

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  describe(`tenant boundaries (${engine})`, () => {
    let app: RunningApp | null = null;
    let skip: string | null = null;
    const keys: Record<string, string> = {};

    beforeAll(async () => {
      skip = await engineMissing(engine);
      if (skip) {
        console.warn(`tenant boundaries (${engine}) ignorés : ${skip}`);
        return;
      }
      app = await startEngineApp(engine);
      const store = app.services.store;
      await store.accounts.orgs.create({ id: 'mairie-c', name: 'Mairie C', emailDomains: ['mairie-c.fr'] });
      await store.accounts.orgs.create({ id: 'mairie-d', name: 'Mairie D', emailDomains: ['mairie-d.fr'] });
      keys.c = await createTestKey(store, { orgId: 'mairie-c', role: 'admin' });
      keys.d = await createTestKey(store, { orgId: 'mairie-d', role: 'admin' });
      keys.super = await createTestKey(store, { orgId: 'default', role: 'superadmin' });
    });
    afterAll(() => app?.close());

    async function call(key: string, method: string, path: string, body?: unknown) {
      const res = await fetch(`${app!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    }

    it('keeps an e-mail domain to the organisation that claims it', async (ctx) => {
      if (skip) return ctx.skip();
      const stolen = await call(keys.c, 'POST', '/v1/users', { email: 'maire@mairie-d.fr', role: 'admin' });
      expect(stolen.status).toBe(403);
      expect(stolen.body.error.message).toMatch(/ne peut pas être ajoutée/);
      const own = await call(keys.d, 'POST', '/v1/users', { email: 'maire@mairie-d.fr', role: 'admin' });
      expect(own.status).toBe(201);
      expect(own.body.org_id).toBe('mairie-d');
    });

    it('does not reveal that an address exists in another organisation', async (ctx) => {
      if (skip) return ctx.skip();
      expect(
        (await call(keys.d, 'POST', '/v1/users', { email: 'secretaire@exemple.fr', role: 'agent' })).status,
      ).toBe(201);
      const elsewhere = await call(keys.c, 'POST', '/v1/users', {
        email: 'secretaire@exemple.fr',
        role: 'agent',
      });
      const unknownButClaimed = await call(keys.c, 'POST', '/v1/users', {
        email: 'inconnu@mairie-d.fr',
        role: 'agent',
      });
      // Same answer as for a domain claimed elsewhere: nothing tells the address exists.
      expect(elsewhere.status).toBe(403);
      expect(unknownButClaimed.status).toBe(403);
      expect(elsewhere.body.error.message.replace('secretaire@exemple.fr', '·')).toBe(
        unknownButClaimed.body.error.message.replace('inconnu@mairie-d.fr', '·'),
      );
      // Within one's own organisation, a duplicate is still a plain 409.
      expect(
        (await call(keys.d, 'POST', '/v1/users', { email: 'secretaire@exemple.fr', role: 'agent' })).status,
      ).toBe(409);
    });

    it('lets an organisation admin tighten, not loosen or clear, the quotas a superadmin set', async (ctx) => {
      if (skip) return ctx.skip();
      const set = await call(keys.super, 'PUT', '/v1/quotas', {
        org_id: 'mairie-c',
        tokens_per_day: 100_000,
      });
      expect(set.status).toBe(200);
      const cleared = await call(keys.c, 'PUT', '/v1/quotas', {});
      expect(cleared.status).toBe(403);
      expect(cleared.body.error.message).toMatch(/tokens_per_day.*100000/);
      expect((await call(keys.c, 'PUT', '/v1/quotas', { tokens_per_day: 200_000 })).status).toBe(403);
      const tighter = await call(keys.c, 'PUT', '/v1/quotas', {
        tokens_per_day: 50_000,
        requests_per_minute: 30,
      });
      expect(tighter.status).toBe(200);
      expect(tighter.body.tokens_per_day).toBe(50_000);
      // Back up to the ceiling is allowed; the superadmin may lift it.
      expect((await call(keys.c, 'PUT', '/v1/quotas', { tokens_per_day: 100_000 })).status).toBe(200);
      expect((await call(keys.super, 'PUT', '/v1/quotas', { org_id: 'mairie-c' })).status).toBe(200);
      expect((await call(keys.c, 'PUT', '/v1/quotas', {})).status).toBe(200);
    });

    it('shows instance-wide statistics to superadmins only', async (ctx) => {
      if (skip) return ctx.skip();
      const admin = await call(keys.c, 'POST', '/v1/admin/audit/verify');
      expect(admin.status).toBe(200);
      expect(admin.body.ok).toBe(true);
      expect(admin.body.entries).toBeNull();
      const sup = await call(keys.super, 'POST', '/v1/admin/audit/verify');
      expect(typeof sup.body.entries).toBe('number');
      const flows = await call(keys.c, 'GET', '/v1/admin/data-flows');
      expect(flows.status).toBe(200);
      for (const e of flows.body.endpoints) expect(e.requestsSinceStart).toBeNull();
      expect(flows.body.refused).toEqual({});
    });
  });
}
