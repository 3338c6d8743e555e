/**
 * A superadmin moves a person between organisations (an e-mail domain claimed by one organisation
 * but a person created in another): their keys are revoked, their sessions end, the move is audited.
 * On SQLite and PostgreSQL, through the API; the CLI command on SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import { openSession, SESSION_COOKIE } from '../../src/accounts/oidc/sessions.js';
import { createTestKey, type RunningApp } from '../helpers/accounts.js';
import { runCli } from '../helpers/cli.js';
import { engineMissing, startEngineApp, type Engine } from '../hostile/app.js';

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  describe(`moving a person between organisations (${engine})`, () => {
    let app: RunningApp | null = null;
    let skip: string | null = null;
    let superadmin = '';
    let adminC = '';
    beforeAll(async () => {
      skip = await engineMissing(engine);
      if (skip) return console.warn(`move-user (${engine}) skipped: ${skip}`);
      app = await startEngineApp(engine);
      const { store } = app.services;
      await store.accounts.orgs.create({ id: 'org-c', name: 'Commune C', emailDomains: ['mairie-c.fr'] });
      await store.accounts.orgs.create({ id: 'org-d', name: 'Commune D', emailDomains: ['mairie-d.fr'] });
      superadmin = await createTestKey(store, { role: 'superadmin' });
      adminC = await createTestKey(store, { orgId: 'org-c', role: 'admin' });
    });
    afterAll(() => app?.close());

    const call = (key: string, method: string, path: string, body?: unknown, headers = {}) =>
      fetch(`${app!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it('a superadmin moves D’s mayor out of C: keys revoked, sessions ended, audited; nobody else may', async (ctx) => {
      if (skip) return ctx.skip();
      const { store } = app!.services;
      // The state an org admin could reach before domains were enforced: D's mayor, admin of C.
      const mayor = await store.accounts.users.create({
        email: 'maire@mairie-d.fr',
        name: 'Maire de D',
        orgId: 'org-c',
        role: 'admin',
      });
      const key = (
        await createApiKey({ store, orgId: 'org-c', role: 'admin', name: 'maire', userId: mayor.id })
      ).key;
      // The mayor works in one of C's services: a service of C, left with the move.
      const hall = await store.accounts.services.create({ orgId: 'org-c', name: 'Accueil' });
      await store.accounts.users.setService(mayor.id, hall.id);
      const session = await openSession({ store, user: mayor, ttlSeconds: 3600 });
      const cookie = `${SESSION_COOKIE}=${session.id}`;
      expect((await fetch(`${app!.url}/v1/me`, { headers: { cookie } })).status).toBe(200);
      expect((await call(key, 'GET', '/v1/me')).status).toBe(200);

      // C's admin (and the mayor, admin of C) cannot move anyone: a superadmin's act.
      for (const k of [adminC, key]) {
        const r = await call(k, 'POST', `/v1/users/${mayor.id}/move`, { org_id: 'org-d' });
        expect(r.status).toBe(403);
      }
      expect((await store.accounts.users.get(mayor.id))!.orgId).toBe('org-c');
      // Bad requests: unknown organisation or person, missing or unknown fields, same place.
      expect(
        (await call(superadmin, 'POST', `/v1/users/${mayor.id}/move`, { org_id: 'nulle-part' })).status,
      ).toBe(404);
      expect((await call(superadmin, 'POST', '/v1/users/usr_inconnu/move', { org_id: 'org-d' })).status).toBe(
        404,
      );
      expect((await call(superadmin, 'POST', `/v1/users/${mayor.id}/move`, {})).status).toBe(400);
      expect(
        (await call(superadmin, 'POST', `/v1/users/${mayor.id}/move`, { org_id: 'org-d', x: 1 })).status,
      ).toBe(400);
      const same = await call(superadmin, 'POST', `/v1/users/${mayor.id}/move`, { org_id: 'org-c' });
      expect(same.status).toBe(400);
      expect(((await same.json()) as any).error.message).toMatch(/déjà dans l'organisation/);

      const moved = await call(superadmin, 'POST', `/v1/users/${mayor.id}/move`, { org_id: 'org-d' });
      expect(moved.status).toBe(200);
      expect(await moved.json()).toMatchObject({
        id: mayor.id,
        org_id: 'org-d',
        role: 'admin',
        from_org_id: 'org-c',
        revoked_keys: 1,
        ended_sessions: 1,
      });
      expect((await store.accounts.users.get(mayor.id))!.serviceId).toBeNull();
      // The key and the session acted for C: both are gone at once.
      expect((await call(key, 'GET', '/v1/me')).status).toBe(401);
      expect((await fetch(`${app!.url}/v1/me`, { headers: { cookie } })).status).toBe(401);
      const listed = async (org: string) =>
        ((await (await call(superadmin, 'GET', `/v1/users?org_id=${org}`)).json()) as any).data.map(
          (u: { email: string }) => u.email,
        );
      expect(await listed('org-d')).toContain('maire@mairie-d.fr');
      expect(await listed('org-c')).not.toContain('maire@mairie-d.fr');
      // C's admin no longer reaches the person (not in C's list, not exportable by C).
      const cList = ((await (await call(adminC, 'GET', '/v1/users')).json()) as any).data;
      expect(cList.map((u: { id: string }) => u.id)).not.toContain(mayor.id);

      // Audited, with pseudonyms only.
      const entries = await app!.services.audit.page({ limit: 200 });
      const entry = entries.find((e) => e.type === 'user.moved');
      expect(entry).toBeDefined();
      expect(entry!.orgId).toBe('org-d');
      expect(entry!.data).toMatchObject({ result: { fromOrgId: 'org-c', orgId: 'org-d', revokedKeys: 1 } });
      expect(JSON.stringify(entry)).not.toMatch(/maire@mairie-d\.fr|Maire de D/);

      // A new role can be given with the move.
      const back = await call(superadmin, 'POST', `/v1/users/${mayor.id}/move`, {
        org_id: 'org-c',
        role: 'agent',
      });
      expect(await back.json()).toMatchObject({
        org_id: 'org-c',
        role: 'agent',
        revoked_keys: 0,
        ended_sessions: 0,
      });

      if (engine !== 'sqlite') return;
      // The operator's CLI, on the same data folder: by e-mail address, one line, non-zero on error.
      const env = { GUICHET_DATA_DIR: (app!.services as unknown as { dir: string }).dir };
      const cli = runCli(['users', 'move', 'maire@mairie-d.fr', '--org', 'org-d', '--role', 'admin'], env);
      expect(cli.stderr).toBe('');
      expect(cli.status).toBe(0);
      expect(cli.stdout).toMatch(/Personne déplacée : maire@mairie-d\.fr de org-c vers org-d \(admin\)/);
      expect((await store.accounts.users.get(mayor.id))!).toMatchObject({ orgId: 'org-d', role: 'admin' });
      const bad = runCli(['users', 'move', 'personne@nulle-part.fr', '--org', 'org-d'], env);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/Personne introuvable/);
    }, 120_000);
  });
}
