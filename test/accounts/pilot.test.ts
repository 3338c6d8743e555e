/**
 * Services of an organisation and the pilot's dashboard, through the real routes, on SQLite and
 * PostgreSQL: services created, renamed, deleted and audited; people attached; a scripted fortnight of
 * questions, answers, citations and feedback (dates set in the store) read back per ISO week, per
 * service, as CSV and as a comparison of two periods. The expected figures are the script's own counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/spec.js';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';

const CI = process.env.CI === 'true';
const pgReason = await unreachableReason();
if (pgReason && !CI) console.log(`[pilot] PostgreSQL part skipped: ${pgReason}`);

const monthsAgo = (n: number) => {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.toISOString().slice(0, 10);
};
const FRESH = {
  id: 'F1',
  title: 'Passeport',
  url: 'https://www.service-public.gouv.fr/F1',
  date: monthsAgo(1),
};
const STALE = {
  id: 'F2',
  title: 'Recours',
  url: 'https://www.service-public.gouv.fr/F2',
  date: '2019-05-01',
};
const cite = (s: typeof FRESH, index: number) => ({ ...s, index, cited: true, local: false });

/** Sets a message's creation instant (the dashboard groups by it). */
async function backdate(store: Store, ids: string[], at: string): Promise<void> {
  for (const id of ids) {
    if (store.info.adapter === 'sqlite')
      (store as SqliteStore).db.prepare('UPDATE messages SET created_at = ? WHERE id = ?').run(at, id);
    else
      await (store as PostgresStore).pool.query('UPDATE messages SET created_at = $1 WHERE id = $2', [
        at,
        id,
      ]);
  }
}

for (const engine of ['sqlite', 'postgres'] as const) {
  const skip = engine === 'postgres' && pgReason !== null && !CI;
  describe.skipIf(skip)(`services and pilot (${engine})`, () => {
    let app: RunningApp;
    let admin: string;
    let dbName: string | null = null;
    const call = async (method: string, path: string, key: string, body?: unknown) => {
      const r = await fetch(`${app.url}${path}`, {
        method,
        headers: bearer(key),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: r.status, json, text, type: r.headers.get('content-type') ?? '' };
    };

    beforeAll(async () => {
      app = await startTestApp({
        store:
          engine === 'sqlite'
            ? undefined
            : async () => {
                const db = await createDatabase();
                dbName = db.name;
                return openPostgresStore({ url: db.url, maxConnections: 4 });
              },
      });
      admin = await createTestKey(app.services.store, { role: 'admin', name: 'admin' });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      if (dbName) await dropDatabase(dbName);
    });

    let accueil: string;
    let juridique: string;
    let alice: string;
    let bob: string;

    it('creates, lists, renames and deletes services; refuses bad input; audits the changes', async () => {
      const a = await call('POST', '/v1/admin/services', admin, {
        name: 'Accueil',
        pilot_since: '2026-11-16',
      });
      expect(a.status).toBe(201);
      expect(a.json).toMatchObject({ object: 'service', name: 'Accueil', pilot_since: '2026-11-16' });
      accueil = a.json.id;
      const j = await call('POST', '/v1/admin/services', admin, { name: 'Juridique' });
      juridique = j.json.id;
      expect((await call('POST', '/v1/admin/services', admin, { name: 'accueil' })).status).toBe(409);
      const bad = await call('POST', '/v1/admin/services', admin, { name: 'X', pilot_since: '2026-02-30' });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message).toMatch(/Date invalide/);
      expect((await call('POST', '/v1/admin/services', admin, { name: '   ' })).status).toBe(400);
      const renamed = await call('PATCH', `/v1/admin/services/${juridique}`, admin, {
        name: 'Service juridique',
      });
      expect(renamed.json.name).toBe('Service juridique');
      expect(
        (await call('PATCH', `/v1/admin/services/${juridique}`, admin, { name: 'ACCUEIL' })).status,
      ).toBe(409);
      const tmp = await call('POST', '/v1/admin/services', admin, { name: 'Temporaire' });
      expect((await call('DELETE', `/v1/admin/services/${tmp.json.id}`, admin)).status).toBe(200);
      expect((await call('DELETE', `/v1/admin/services/${tmp.json.id}`, admin)).status).toBe(404);
      const list = await call('GET', '/v1/admin/services', admin);
      expect(list.json.data.map((s: { name: string }) => s.name)).toEqual(['Accueil', 'Service juridique']);
      expect(list.json.org_pilot_since).toBeNull();
      const flag = await call('PUT', '/v1/admin/pilot', admin, { since: '2026-11-16' });
      expect(flag.json).toEqual({ org_id: DEFAULT_ORG_ID, pilot_since: '2026-11-16' });
      const audit = await app.services.store.audit.list({ limit: 1000 });
      const types = audit.map((e) => e.type);
      for (const t of ['service.created', 'service.updated', 'service.deleted', 'service.org_pilot_set'])
        expect(types, t).toContain(t);
      const created = audit.find((e) => e.type === 'service.created')!;
      expect(created.orgId).toBe(DEFAULT_ORG_ID);
      expect(JSON.stringify(created.data)).toContain('Accueil');
    });

    it('attaches people to a service of their organisation only', async () => {
      const a = await call('POST', '/v1/users', admin, {
        email: `alice-${engine}@mairie.fr`,
        name: 'Alice',
        service_id: accueil,
      });
      expect(a.status).toBe(201);
      expect(a.json.service_id).toBe(accueil);
      alice = a.json.id;
      const b = await call('POST', '/v1/users', admin, { email: `bob-${engine}@mairie.fr`, name: 'Bob' });
      bob = b.json.id;
      expect(b.json.service_id).toBeNull();
      expect(
        (await call('PATCH', `/v1/users/${bob}`, admin, { service_id: juridique })).json.service_id,
      ).toBe(juridique);
      // Another organisation's admin sees neither the service nor the person.
      const other = await createTestKey(app.services.store, { orgId: `autre-${engine}`, role: 'admin' });
      expect((await call('PATCH', `/v1/admin/services/${accueil}`, other, { name: 'X' })).status).toBe(404);
      expect((await call('PATCH', `/v1/users/${bob}`, other, { service_id: null })).status).toBe(404);
      const theirs = await call('POST', '/v1/admin/services', other, { name: 'Accueil' });
      expect(theirs.status).toBe(201);
      expect((await call('PATCH', `/v1/users/${bob}`, admin, { service_id: theirs.json.id })).status).toBe(
        404,
      );
      expect(
        (await call('POST', '/v1/users', admin, { email: 'x@y.fr', service_id: 'svc_nope' })).status,
      ).toBe(404);
      expect(await app.services.store.accounts.users.getByEmail('x@y.fr')).toBeNull();
      const audit = await app.services.store.audit.list({ limit: 1000 });
      expect(
        audit.some((e) => e.type === 'user.setService' && JSON.stringify(e.data).includes(juridique)),
      ).toBe(true);
      // A deleted service leaves its people without one.
      const t = await call('POST', '/v1/admin/services', admin, { name: 'Éphémère' });
      const carol = await call('POST', '/v1/users', admin, {
        email: `carol-${engine}@mairie.fr`,
        service_id: t.json.id,
      });
      await call('DELETE', `/v1/admin/services/${t.json.id}`, admin);
      expect((await app.services.store.accounts.users.get(carol.json.id))?.serviceId).toBeNull();
    });

    it('records the service and the refusal of a question asked through the real route', async () => {
      const key = (
        await createApiKey({
          store: app.services.store,
          orgId: DEFAULT_ORG_ID,
          role: 'agent',
          name: 'a',
          userId: alice,
        })
      ).key;
      const r = await fetch(`${app.url}/v1/conversations/new/messages`, {
        method: 'POST',
        headers: bearer(key),
        body: JSON.stringify({ content: 'Quels sont les horaires de la piscine municipale ?' }),
      });
      expect(r.status).toBe(200);
      const body = await r.text();
      const id = /"conversation_id":"([^"]+)"/.exec(body)![1];
      const conv = await app.services.store.conversations.get(id);
      expect(conv?.serviceId).toBe(accueil);
      const messages = await app.services.store.conversations.messages(id);
      expect(messages.map((m) => [m.role, m.noSource])).toEqual([
        ['user', false],
        ['assistant', true],
      ]);
      const today = new Date().toISOString().slice(0, 10);
      const report = await call('GET', `/v1/admin/pilot?from=${today}&to=${today}&service=${accueil}`, admin);
      expect(report.json.totals).toMatchObject({ questions: 1, refused: 1, refused_share: 1 });
      await app.services.store.conversations.delete(id);
    });

    it('shows per week and per service what the scripted fortnight holds, as JSON, CSV and a comparison', async () => {
      const store = app.services.store;
      const c = store.conversations;
      const convA = (await c.create({ orgId: DEFAULT_ORG_ID, userId: alice, serviceId: accueil })).id;
      const convB = (await c.create({ orgId: DEFAULT_ORG_ID, userId: bob, serviceId: juridique })).id;
      const exchange = async (
        conv: string,
        at: string,
        question: string,
        answer: { noSource?: boolean; citations?: unknown[]; feedback?: [number, string[]] },
      ) => {
        const q = await c.addMessage({ conversationId: conv, role: 'user', content: question });
        const a = await c.addMessage({
          conversationId: conv,
          role: 'assistant',
          content: 'réponse',
          citations: answer.citations ?? [],
          noSource: answer.noSource,
        });
        if (answer.feedback)
          await c.addFeedback({
            messageId: a.id,
            orgId: DEFAULT_ORG_ID,
            userId: null,
            rating: answer.feedback[0],
            tags: answer.feedback[1],
          });
        await backdate(store, [q.id, a.id], at);
      };
      // Week 2026-W47: three questions, one refused, two negative feedbacks, two stale citations.
      await exchange(convA, '2026-11-17T09:00:00.000Z', 'Comment renouveler un passeport ?', {
        citations: [cite(FRESH, 1), cite(STALE, 2)],
        feedback: [1, ['clair']],
      });
      await exchange(
        convA,
        '2026-11-17T09:05:00.000Z',
        'Le dossier de jean.dupont@example.fr est-il complet ?',
        {
          noSource: true,
          feedback: [-1, ['manque de sources']],
        },
      );
      await exchange(convB, '2026-11-18T10:00:00.000Z', 'Quel délai de recours contentieux ?', {
        citations: [cite(STALE, 1)],
        feedback: [-1, ['erreur', 'incomplet']],
      });
      // Week 2026-W48: two questions, one refused, no feedback.
      await exchange(convA, '2026-11-24T09:00:00.000Z', 'Comment renouveler un passeport ?', {
        citations: [cite(FRESH, 1)],
      });
      await exchange(convA, '2026-11-25T09:00:00.000Z', 'Horaires de la piscine ?', { noSource: true });

      const r = await call('GET', '/v1/admin/pilot?from=2026-11-16&to=2026-11-29', admin);
      expect(r.status).toBe(200);
      expect(r.json.org_pilot_since).toBe('2026-11-16');
      expect(r.json.weeks.map((w: { week: string; start: string }) => [w.week, w.start])).toEqual([
        ['2026-W47', '2026-11-16'],
        ['2026-W48', '2026-11-23'],
      ]);
      const [w47, w48] = r.json.weeks;
      expect(w47).toMatchObject({
        questions: 3,
        answered: 3,
        refused: 1,
        refused_share: 0.3333,
        negative: 2,
        negative_share: 0.6667,
        stale_citations: 2,
      });
      expect(w47.negative_tags).toEqual(
        expect.arrayContaining([
          { tag: 'manque de sources', count: 1 },
          { tag: 'erreur', count: 1 },
          { tag: 'incomplet', count: 1 },
        ]),
      );
      expect(w47.negative_tags).toHaveLength(3);
      expect(w47.top_sources[0]).toEqual({ title: 'Recours', url: STALE.url, count: 2 });
      expect(w47.stale_sources).toEqual([{ title: 'Recours', url: STALE.url, date: STALE.date, count: 2 }]);
      expect(w47.unanswered).toHaveLength(1);
      expect(w47.unanswered[0].question).not.toContain('jean.dupont@example.fr');
      expect(w47.unanswered[0].question).toMatch(/\[[A-Z_]+_1\]/);
      expect(w48).toMatchObject({
        questions: 2,
        refused: 1,
        refused_share: 0.5,
        negative: 0,
        stale_citations: 0,
      });
      expect(r.json.totals).toMatchObject({ questions: 5, refused: 2, negative: 2 });

      const byService = await call(
        'GET',
        `/v1/admin/pilot?from=2026-11-16&to=2026-11-29&service=${juridique}`,
        admin,
      );
      expect(byService.json.weeks).toHaveLength(1);
      expect(byService.json.totals).toMatchObject({
        questions: 1,
        refused: 0,
        negative: 1,
        stale_citations: 1,
      });

      const csv = await call('GET', '/v1/admin/pilot?from=2026-11-16&to=2026-11-29&format=csv', admin);
      expect(csv.status).toBe(200);
      expect(csv.type).toMatch(/text\/csv/);
      const lines = csv.text
        .replace(/^\ufeff/, '')
        .trim()
        .split('\r\n');
      expect(lines).toHaveLength(4);
      expect(lines[1].split(';').slice(0, 6)).toEqual(['2026-W47', '2026-11-16', '3', '3', '1', '33,3 %']);
      expect(lines[3].split(';')[2]).toBe('5');

      const cmp = await call(
        'GET',
        '/v1/admin/pilot/compare?a_from=2026-11-16&a_to=2026-11-22&b_from=2026-11-23&b_to=2026-11-29',
        admin,
      );
      expect(cmp.status).toBe(200);
      expect(cmp.json.a.totals.questions).toBe(3);
      expect(cmp.json.b.totals.questions).toBe(2);
      expect(cmp.json.delta).toMatchObject({
        questions: -1,
        refused_share: 0.1667,
        negative_share: -0.6667,
        stale_citations: -2,
      });
    });

    it('lets the DPO read the dashboard but not change services; refuses agents and bad periods', async () => {
      const dpo = await createTestKey(app.services.store, { role: 'dpo', name: 'dpo' });
      const agent = await createTestKey(app.services.store, { role: 'agent', name: 'agent' });
      expect((await call('GET', '/v1/admin/pilot', dpo)).status).toBe(200);
      expect((await call('GET', '/v1/admin/services', dpo)).status).toBe(200);
      expect((await call('POST', '/v1/admin/services', dpo, { name: 'X' })).status).toBe(403);
      expect((await call('PUT', '/v1/admin/pilot', dpo, { since: null })).status).toBe(403);
      expect((await call('GET', '/v1/admin/pilot', agent)).status).toBe(403);
      expect((await call('GET', '/v1/admin/pilot?from=2026-12-01&to=2026-11-01', admin)).status).toBe(400);
      expect((await call('GET', '/v1/admin/pilot?from=hier', admin)).status).toBe(400);
      expect((await call('GET', '/v1/admin/pilot?service=svc_nope', admin)).status).toBe(404);
      expect((await call('GET', '/v1/admin/pilot/compare?a_from=2026-11-01', admin)).status).toBe(400);
    });
  });
}
