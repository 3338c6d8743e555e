/**
 * Tenant boundaries (issue 18) through the real HTTP API on SQLite and PostgreSQL: an e-mail
 * domain claimed by an organisation is its own, an address known elsewhere is not revealed,
 * quotas set by a superadmin are a ceiling for the organisation's admins, and instance-wide
 * statistics (audit chain size, outbound requests) are for superadmins only; one organisation's
 * private documents never move another's search scores (BM25 statistics per search scope).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKey, type RunningApp } from '../helpers/accounts.js';
import { engineMissing, startEngineApp, type Engine } from './app.js';
import { uploadForm } from '../documents/helpers.js';

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

    it("leaves an organisation's search scores unchanged, to the last bit, when another uploads private documents with its words", async (ctx) => {
      if (skip) return ctx.skip();
      const upload = async (key: string, collection: string, name: string, text: string) => {
        const r = await fetch(`${app!.url}/v1/documents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}` },
          body: uploadForm({ bytes: text, fileName: name, collection }),
        });
        expect(r.status, await r.clone().text()).toBe(201);
      };
      const collection = async (key: string, name: string) =>
        (await call(key, 'POST', '/v1/collections', { name, visibility: 'private' })).body.id as string;
      const c = await collection(keys.c, 'Démarches de C');
      const d = await collection(keys.d, 'Dossiers internes de D');
      for (const [i, topic] of [
        'permis de construire',
        'état civil',
        'cantine scolaire',
        'permis de chasser',
      ].entries())
        await upload(
          keys.c,
          c,
          `fiche-${i}.md`,
          `# ${topic}\n\nLa mairie instruit les demandes de ${topic} déposées en ligne ou au guichet.\n`,
        );
      const search = async () =>
        (await call(keys.c, 'POST', '/v1/search', { query: 'demande de permis en mairie zorglub', k: 10 }))
          .body;
      const before = await search();
      expect(before.data.length).toBeGreaterThan(1);
      // D stores, privately, C's words and its own secret word, again and again.
      for (let i = 0; i < 8; i++)
        await upload(
          keys.d,
          d,
          `zorglub-${i}.md`,
          `# Zorglub permis mairie\n\n${'Demande de permis en mairie : procédure zorglub. '.repeat(1 + i)}\n`,
        );
      // The in-memory copy may be behind or rebuilt meanwhile: both answer alike, and so does the store.
      expect(await search()).toEqual(before);
      await new Promise((r) => setTimeout(r, 1200));
      expect(await search()).toEqual(before);
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
