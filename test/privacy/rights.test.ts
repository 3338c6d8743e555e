import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import { createTestKey, startTestApp, bearer, type RunningApp } from '../helpers/accounts.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';

/** Export then erase a user through the API; afterwards no table of the SQLite file names them. */
let app: RunningApp;
let admin: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await createTestKey(app.services.store, { role: 'admin' });
}, 60_000);
afterAll(async () => app?.close());

function rowsNaming(db: SqliteStore['db'], needles: string[]): string[] {
  const found: string[] = [];
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'`)
    .all() as { name: string }[];
  for (const { name } of tables) {
    const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[]).map(
      (c) => c.name,
    );
    if (!cols.length) continue;
    for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
      const text = cols
        .map((c) => String(row[c] ?? ''))
        .join('\u0001')
        .toLowerCase();
      for (const n of needles) if (text.includes(n.toLowerCase())) found.push(`${name}: ${n}`);
    }
  }
  return found;
}

describe('rights of the persons', () => {
  it('exports everything about a user, then erases it: nothing names them any more', async () => {
    const store = app.services.store;
    const email = 'jeanne.lefebvre-martin@mairie-exemple.fr';
    const name = 'Jeanne Lefebvre-Martin';
    const created = await fetch(`${app.url}/v1/users`, {
      method: 'POST',
      headers: bearer(admin),
      body: JSON.stringify({ email, name, role: 'agent' }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const user = (await created.json()) as { id: string };
    const own = await createApiKey({
      store,
      orgId: 'default',
      role: 'agent',
      userId: user.id,
      name: `Clé de ${name}`,
    });
    // A search with the user's key (a usage row names them; screen reads are not recorded), a
    // conversation with feedback, a session.
    const searched = await fetch(`${app.url}/v1/search`, {
      method: 'POST',
      headers: bearer(own.key),
      body: JSON.stringify({ query: 'passeport', k: 1 }),
    });
    expect(searched.status).toBe(200);
    const conv = await store.conversations.create({
      orgId: 'default',
      userId: user.id,
      title: `Dossier de ${name}`,
    });
    const q = await store.conversations.addMessage({
      conversationId: conv.id,
      role: 'user',
      content: `Je suis ${name}, ${email}`,
    });
    await store.conversations.addMessage({
      conversationId: conv.id,
      role: 'assistant',
      content: 'Réponse.',
      citations: [{ index: 1 }],
    });
    await store.conversations.addFeedback({
      messageId: q.id,
      orgId: 'default',
      userId: user.id,
      rating: 1,
      tags: ['clair'],
      comment: `merci, ${name}`,
    });
    const sessions = (store.accounts as unknown as { sessions?: { create(s: object): Promise<void> } })
      .sessions;
    await sessions?.create({
      idHash: 'a'.repeat(64),
      userId: user.id,
      orgId: 'default',
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });

    await store.training.record({
      orgId: 'default',
      userId: user.id,
      courseVersion: 'v1',
      correct: 8,
      total: 10,
      score: 0.8,
      passed: true,
    });

    const exp = await fetch(`${app.url}/v1/privacy/users/${user.id}/export`, { headers: bearer(admin) });
    expect(exp.status).toBe(200);
    const data = (await exp.json()) as any;
    expect(data.user).toMatchObject({ id: user.id, email, name });
    expect(data.apiKeys).toHaveLength(1);
    expect(data.apiKeys[0].hash).toBeUndefined();
    expect(data.conversations[0].messages).toHaveLength(2);
    expect(data.feedback).toHaveLength(1);
    expect(data.usage.length).toBeGreaterThan(0);
    expect(data.training).toMatchObject([{ user_id: user.id, course_version: 'v1' }]);
    if (sessions) expect(data.sessions).toHaveLength(1);
    expect(data.auditEntries.map((e: any) => e.type)).toContain('user.created');

    const db = (store as unknown as SqliteStore).db;
    // The search below does find the user before erasure (in users, api_keys, usage, conversations…).
    expect(rowsNaming(db, [email, name, user.id]).length).toBeGreaterThan(5);

    const del = await fetch(`${app.url}/v1/privacy/users/${user.id}`, {
      method: 'DELETE',
      headers: bearer(admin),
    });
    expect(del.status).toBe(200);
    const erased = ((await del.json()) as any).erased;
    expect(erased).toMatchObject({ users: 1, apiKeys: 1, conversations: 1, messages: 2, feedback: 1 });
    expect(erased.usageAnonymised).toBeGreaterThan(0);

    expect(rowsNaming(db, [email, name, user.id, 'Lefebvre'])).toEqual([]);
    // The audit log still verifies and records the export and the erasure (counts only).
    const audit = await app.services.audit!.verify();
    expect(audit.ok).toBe(true);
    const types = (await app.services.audit!.page({ limit: 500 })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['privacy.export', 'privacy.erase']));
    // Usage rows are kept, anonymised.
    expect(
      (db.prepare('SELECT COUNT(*) AS n FROM usage WHERE user_id IS NULL').get() as { n: number }).n,
    ).toBeGreaterThan(0);
    // Gone: a second export is a 404.
    expect(
      (await fetch(`${app.url}/v1/privacy/users/${user.id}/export`, { headers: bearer(admin) })).status,
    ).toBe(404);
  });

  it('an admin cannot reach a user of another organisation; an agent cannot use the rights routes', async () => {
    const store = app.services.store;
    await store.accounts.orgs.create({ id: 'autre', name: 'Autre mairie' });
    const other = await store.accounts.users.create({
      email: 'x@autre.fr',
      name: 'X',
      orgId: 'autre',
      role: 'agent',
    });
    expect(
      (await fetch(`${app.url}/v1/privacy/users/${other.id}/export`, { headers: bearer(admin) })).status,
    ).toBe(404);
    expect(
      (await fetch(`${app.url}/v1/privacy/users/${other.id}`, { method: 'DELETE', headers: bearer(admin) }))
        .status,
    ).toBe(404);
    const agent = await createTestKey(store, { role: 'agent' });
    expect(
      (await fetch(`${app.url}/v1/privacy/users/${other.id}/export`, { headers: bearer(agent) })).status,
    ).toBe(403);
    expect((await fetch(`${app.url}/v1/admin/audit`, { headers: bearer(agent) })).status).toBe(403);
  });

  it('GET /v1/admin/audit pages through the organisation’s entries', async () => {
    const first = (await (
      await fetch(`${app.url}/v1/admin/audit?limit=2`, { headers: bearer(admin) })
    ).json()) as any;
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const next = (await (
      await fetch(`${app.url}/v1/admin/audit?limit=2&after=${first.next_after}`, { headers: bearer(admin) })
    ).json()) as any;
    expect(next.data[0].seq).toBeGreaterThan(first.data[1].seq);
    expect(next.data.every((e: any) => e.orgId === 'default')).toBe(true);
  });
});
