/**
 * The small holes of issue 18, through the real HTTP API on SQLite and PostgreSQL: CSRF with a
 * cookie session, NUL and unpaired surrogates, JSON nested too deep, many files in one upload,
 * same-named files of a folder upload, key expiry under an hour, CSP on /docs, a developer key
 * revoking an admin key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/accounts/model.js';
import { createTestKey, type RunningApp } from '../helpers/accounts.js';
import { snapshot, uploadForm } from '../documents/helpers.js';
import { engineMissing, startEngineApp, type Engine } from './app.js';
import { nestedJson } from './fixtures.js';

/** A session id of the right shape (the CSRF token is derived from it). */
const SESSION_ID = 'sessionsessionsession1234';

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  describe(`small holes (${engine})`, () => {
    let app: RunningApp | null = null;
    let skip: string | null = null;
    let admin = '';
    let developer = '';
    let collection = '';
    const session: Principal = { orgId: 'mairie', userId: null, keyId: null, role: 'admin', via: 'session' };

    beforeAll(async () => {
      skip = await engineMissing(engine);
      if (skip) {
        console.warn(`small holes (${engine}) ignorés : ${skip}`);
        return;
      }
      app = await startEngineApp(
        engine,
        {},
        {
          resolveSession: async (cookie) =>
            cookie.includes(`guichet_session=${SESSION_ID}`) ? session : null,
        },
      );
      admin = await createTestKey(app.services.store, { orgId: 'mairie', role: 'admin' });
      developer = await createTestKey(app.services.store, { orgId: 'mairie', role: 'developer' });
      collection = (await call('POST', '/v1/collections', { name: 'Mairie' }).then((r) => r.body)).id;
    });
    afterAll(() => app?.close());

    async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${app!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    }
    /** A request made with the session cookie only, as a browser would. */
    const withCookie = (path: string, body: unknown, headers: Record<string, string>) =>
      fetch(`${app!.url}${path}`, {
        method: 'POST',
        headers: { cookie: `guichet_session=${SESSION_ID}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const stored = () => snapshot(app!.services.store, [collection]);

    it('refuses a change made with the session cookie from another site, even of the same domain', async (ctx) => {
      if (skip) return ctx.skip();
      const host = new URL(app!.url).host;
      const forged = await withCookie(
        '/v1/collections',
        { name: 'Forgée' },
        { origin: 'https://docs.mairie.example', 'sec-fetch-site': 'same-site' },
      );
      expect(forged.status).toBe(403);
      expect(((await forged.json()) as any).error.message).toMatch(/falsification/);
      const foreignOrigin = await withCookie(
        '/v1/collections',
        { name: 'Forgée' },
        { origin: 'http://evil.example' },
      );
      expect(foreignOrigin.status).toBe(403);
      const sameOrigin = { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' };
      // Right origin but no token (a form of an old browser, a request of another page's script
      // through a sibling's open redirect…), or a wrong one: refused, nothing stored.
      for (const token of [undefined, 'x'.repeat(43), '']) {
        const noToken = await withCookie(
          '/v1/collections',
          { name: 'Sans jeton' },
          { ...sameOrigin, ...(token === undefined ? {} : { 'x-csrf-token': token }) },
        );
        expect(noToken.status).toBe(403);
        expect(((await noToken.json()) as any).error.message).toMatch(/jeton anti-falsification/);
      }
      const form = await fetch(`${app!.url}/v1/collections`, {
        method: 'POST',
        headers: {
          cookie: `guichet_session=${SESSION_ID}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'name=Formulaire',
      });
      expect(form.status).toBe(403);
      // The token comes from GET /v1/me (session only: null with a key).
      const me = await fetch(`${app!.url}/v1/me`, { headers: { cookie: `guichet_session=${SESSION_ID}` } });
      const token = ((await me.json()) as any).csrf_token as string;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await call('GET', '/v1/me')).body.csrf_token).toBeNull();
      const own = await withCookie(
        '/v1/collections',
        { name: 'Légitime' },
        { ...sameOrigin, 'x-csrf-token': token },
      );
      expect(own.status).toBe(201);
      const names = (await call('GET', '/v1/collections')).body.data.map((c: { name: string }) => c.name);
      expect(names).toContain('Légitime');
      expect(names).not.toContain('Sans jeton');
      expect(names).not.toContain('Formulaire');
      // A key is not sent by browsers on their own: no check for Bearer calls.
      const bearer = await call(
        'POST',
        '/v1/collections',
        { name: 'Script' },
        { origin: 'http://evil.example' },
      );
      expect(bearer.status).toBe(201);
    });

    it('answers 400, never 500, to NUL and unpaired surrogates in JSON and in the URL', async (ctx) => {
      if (skip) return ctx.skip();
      for (const body of [
        '{"name":"Mai\\u0000rie"}',
        '{"name":"Mairie \\ud800"}',
        '{"name":"Mairie \\udc00 x"}',
        '{"name":"ok","description":"x\\u0000"}',
      ]) {
        const r = await call('POST', '/v1/collections', body);
        expect(r.status, body).toBe(400);
        expect(r.body.error.message).toMatch(/caractère nul|Unicode incomplet/);
      }
      const paired = await call('POST', '/v1/collections', '{"name":"Mairie \\ud83d\\ude00"}');
      expect(paired.status).toBe(201);
      expect((await call('GET', '/v1/documents/ab%00cd')).status).toBe(400);
      expect((await call('POST', '/v1/search', '{"query":"horaires\\u0000"}')).status).toBe(400);
    });

    it('stores a document whose text holds NUL characters, without them', async (ctx) => {
      if (skip) return ctx.skip();
      const res = await fetch(`${app!.url}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
        body: uploadForm({
          // A JSON document may write NUL (and half surrogates) as escapes: PostgreSQL refused them (500).
          bytes:
            '{"titre": "Horaires de la mairie", "horaires": "Ouverte le lundi\\u0000.", "note": "x\\ud800y"}',
          fileName: 'nul.json',
          collection,
        }),
      });
      const body = (await res.json()) as any;
      expect(res.status, JSON.stringify(body)).toBe(201);
      const doc = (await call('GET', `/v1/documents/${body.id}`)).body;
      expect(doc.markdown).toContain('Ouverte le lundi.');
      expect(doc.markdown).toContain('xy');
      expect(doc.markdown).not.toContain('\u0000');
    });

    it('answers 400 to JSON nested 5,000 levels deep (body and upload metadata)', async (ctx) => {
      if (skip) return ctx.skip();
      const deep = `{"query":"horaires","x":${nestedJson(5_000).toString()}}`;
      const r = await call('POST', '/v1/search', deep);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/imbrique plus de 64 niveaux/);
      const before = await stored();
      const up = await fetch(`${app!.url}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
        body: uploadForm({
          bytes: '# a\n\nb\n',
          fileName: 'a.md',
          collection,
          metadata: nestedJson(5_000).toString(),
        }),
      });
      expect(up.status).toBe(400);
      expect(await stored()).toBe(before);
    });

    it('refuses 300 files in one upload with a clear 400 and stores none of them', async (ctx) => {
      if (skip) return ctx.skip();
      const before = await stored();
      const form = new FormData();
      for (let i = 0; i < 300; i++)
        form.append('file', new Blob([`# Note ${i}\n\nTexte ${i}.\n`]), `note-${i}.md`);
      form.set('collection', collection);
      const res = await fetch(`${app!.url}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
        body: form,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.message).toMatch(
        /un seul fichier par requête|Un seul fichier par envoi/i,
      );
      const two = new FormData();
      two.append('file', new Blob(['# A\n\nA.\n']), 'a.md');
      two.append('file', new Blob(['# B\n\nB.\n']), 'b.md');
      two.set('collection', collection);
      const r2 = await fetch(`${app!.url}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
        body: two,
      });
      expect(r2.status).toBe(400);
      expect(((await r2.json()) as any).error.message).toMatch(/2 reçus/);
      expect(await stored()).toBe(before);
    });

    it('keeps same-named files of different folders as different documents', async (ctx) => {
      if (skip) return ctx.skip();
      const results = [];
      for (const folder of ['ecole', 'cantine', 'piscine']) {
        const form = uploadForm({
          bytes: `# Tarifs ${folder}\n\nLe tarif de ${folder} est de 3 euros.\n`,
          fileName: 'tarifs.md',
          collection,
        });
        form.set('path', `services/${folder}/tarifs.md`);
        const res = await fetch(`${app!.url}/v1/documents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}` },
          body: form,
        });
        results.push({ status: res.status, body: (await res.json()) as any });
      }
      expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(results.map((r) => r.body.replaced)).toEqual([false, false, false]);
      expect(new Set(results.map((r) => r.body.file_name)).size).toBe(3);
      expect(results[1].body.file_name).toBe('services/cantine/tarifs.md');
    });

    it('refuses a key expiring in under an hour', async (ctx) => {
      if (skip) return ctx.skip();
      const short = await call('POST', '/v1/keys', {
        name: 'éphémère',
        role: 'agent',
        expires_in_days: 0.00001,
      });
      expect(short.status).toBe(400);
      expect(short.body.error.message).toMatch(/1 heure/);
      const hour = await call('POST', '/v1/keys', {
        name: 'une heure',
        role: 'agent',
        expires_in_days: 1 / 24,
      });
      expect(hour.status).toBe(201);
    });

    it('does not let a developer key revoke an admin key', async (ctx) => {
      if (skip) return ctx.skip();
      const keys = (await call('GET', '/v1/keys')).body.data as { id: string; role: string }[];
      const adminKey = keys.find((k) => k.role === 'admin')!;
      const r = await fetch(`${app!.url}/v1/keys/${adminKey.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${developer}` },
      });
      expect(r.status).toBe(403);
      expect((await call('GET', '/v1/me')).status).toBe(200); // the admin key still works
    });

    it('serves /docs with a Content-Security-Policy and no inline script', async (ctx) => {
      if (skip) return ctx.skip();
      const res = await fetch(`${app!.url}/docs`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      const html = await res.text();
      expect(html).not.toMatch(/<script>[^<]/);
      expect((await fetch(`${app!.url}/docs/assets/init.js`)).status).toBe(200);
    });
  });
}
