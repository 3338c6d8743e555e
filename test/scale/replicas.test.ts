/**
 * Several stateless replicas (issue 8): three real `guichet serve` processes on different ports
 * share one fresh PostgreSQL database and Redis. A document uploaded through one is searchable and
 * cited through another; a key limited to N requests per minute gets exactly N answers across the
 * replicas; killing one (SIGKILL) in the middle of uploads loses nothing that was acknowledged and
 * leaves no half-written document. The corpus (a few hundred real fiches as DILA XML) is ingested
 * with `guichet ingest service-public --source` before the replicas start.
 *
 * Needs PostgreSQL, Redis, and the PostgreSQL adapter's accounts: when one is missing the suite is
 * skipped with the printed reason, except under CI=true where it fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import { ensureDefaultOrganisation } from '../../src/accounts/create-organisation.js';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import { setQuotas } from '../../src/accounts/set-quotas.js';
import { openStore, type Store } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';
import { REDIS_URL, redisAvailable } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { writeXmlCorpus } from '../knowledge/xml-corpus.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';

const FICHES = 300;
const SECRET = 'quorglyphe';
const NOTE = `# Permanence du conciliateur\n\nLe conciliateur de justice de la commune reçoit sur rendez-vous le jeudi matin. Le code de la permanence est ${SECRET}.\n`;

/** The first missing capability, or null. */
async function missingCapability(): Promise<string | null> {
  const pg = await unreachableReason();
  if (pg) return pg;
  if (!(await redisAvailable())) return `Redis injoignable (${REDIS_URL})`;
  const db = await createDatabase();
  try {
    const store = await openStore({
      dataDir: '.',
      databaseUrl: db.url,
      postgres: { logger: { warn: () => undefined } },
    });
    try {
      await store.accounts.keys.count();
      await store.audit.list({ limit: 1 });
    } finally {
      await store.close();
    }
    return null;
  } catch (e) {
    return `l'adaptateur PostgreSQL ne gère pas encore les comptes (${(e as Error).message})`;
  } finally {
    await dropDatabase(db.name);
  }
}

const missing = await missingCapability();
if (missing && process.env.CI === 'true') throw new Error(`Répliques : ${missing} (CI=true : requis)`);
if (missing) console.warn(`[scale] Test des répliques ignoré : ${missing}.`);

let db: { name: string; url: string };
let dataDir: string;
let store: Store;
let replicas: RunningServer[] = [];
let adminKey: string;

const headers = (key: string, json = true) => ({
  authorization: `Bearer ${key}`,
  ...(json ? { 'content-type': 'application/json' } : {}),
});
const post = (r: RunningServer, path: string, key: string, body: unknown) =>
  fetch(`${r.url}${path}`, { method: 'POST', headers: headers(key), body: JSON.stringify(body) });
const upload = (r: RunningServer, key: string, collection: string, name: string, text: string) => {
  const form = new FormData();
  form.set('collection', collection);
  form.set('file', new Blob([text], { type: 'text/markdown' }), name);
  return fetch(`${r.url}/v1/documents`, { method: 'POST', headers: headers(key, false), body: form });
};

/** Waits until a replica answers searches from its in-memory copy of the lexical index. */
async function memoryIndexReady(r: RunningServer): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    const h = (await (await fetch(`${r.url}/health`)).json()) as { lexical_memory_index?: boolean };
    if (h.lexical_memory_index) return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}

beforeAll(async () => {
  if (missing) return;
  db = await createDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'guichet-replicas-'));
  writeXmlCorpus(join(dataDir, 'xml'), FICHES);
  const env = { DATABASE_URL: db.url, REDIS_URL, GUICHET_DATA_DIR: dataDir, GUICHET_CONFIG: '' };
  const ingest = runCli(['ingest', 'service-public', '--source', join(dataDir, 'xml')], env);
  expect(ingest.status, ingest.stderr).toBe(0);
  store = await openStore({ dataDir, databaseUrl: db.url, postgres: { logger: { warn: () => undefined } } });
  expect(await store.documents.count('service-public')).toBe(FICHES);
  await ensureDefaultOrganisation(store, DEFAULT_ORG_ID);
  adminKey = (await createApiKey({ store, orgId: DEFAULT_ORG_ID, role: 'admin', name: 'répliques' })).key;
  replicas = await Promise.all([1, 2, 3].map(() => startServer(env)));
  expect(new Set(replicas.map((r) => r.url)).size).toBe(3);
  // Each replica searches an in-memory copy of the index: what one writes must reach the others' copies.
  for (const r of replicas) expect(await memoryIndexReady(r)).toBe(true);
}, 400_000);

afterAll(async () => {
  for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await store?.close();
  if (db) await dropDatabase(db.name);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(missing !== null)('three replicas on one PostgreSQL and one Redis', () => {
  let collection: string;
  let documentId: string;

  it('a document uploaded through one replica is searchable and cited through the others', async () => {
    const [a, b, c] = replicas;
    const col = await post(a, '/v1/collections', adminKey, { name: 'Mairie — notes internes' });
    expect(col.status).toBe(201);
    collection = ((await col.json()) as { id: string }).id;
    const up = await upload(a, adminKey, collection, 'conciliateur.md', NOTE);
    expect(up.status, await up.clone().text()).toBe(201);
    documentId = ((await up.json()) as { id: string }).id;

    const found = await post(b, '/v1/search', adminKey, { query: `code ${SECRET} conciliateur` });
    expect(found.status).toBe(200);
    expect(await found.text()).toContain(documentId);
    // Once b has rebuilt its copy from PostgreSQL, the copy finds the document too.
    expect(await memoryIndexReady(b)).toBe(true);
    const again = await post(b, '/v1/search', adminKey, { query: `code ${SECRET} conciliateur` });
    expect(await again.text()).toContain(documentId);

    const chat = await post(c, '/v1/chat/completions', adminKey, {
      model: 'guichet',
      messages: [{ role: 'user', content: `Quel est le code ${SECRET} de la permanence du conciliateur ?` }],
    });
    expect(chat.status).toBe(200);
    const answer = await chat.text();
    expect(answer).toContain(documentId); // cited
    expect(answer).toContain(SECRET);
    // The national corpus ingested before the start is served by every replica.
    for (const r of replicas) {
      const s = await post(r, '/v1/search', adminKey, { query: 'carte grise', k: 3 });
      expect(s.status).toBe(200);
    }
  }, 120_000);

  it('a key limited to N requests per minute gets exactly N answers across the replicas', async () => {
    const N = 7;
    const created = await createApiKey({ store, orgId: DEFAULT_ORG_ID, role: 'agent', name: 'quota' });
    await setQuotas({
      store,
      orgId: DEFAULT_ORG_ID,
      keyId: created.record.id,
      limits: {
        requestsPerMinute: N,
        requestsPerDay: null,
        tokensPerMinute: null,
        tokensPerDay: null,
        monthlyCredits: null,
      },
    });
    // Stay inside one minute window (fixed windows): wait if it is about to turn.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    // Quotas count model and search calls (screen reads are not billed): searches here.
    const calls = Array.from({ length: 3 * N }, (_, i) =>
      post(replicas[i % 3], '/v1/search', created.key, { query: 'carte grise', k: 1 }).then(async (r) => {
        await r.body?.cancel();
        return r.status;
      }),
    );
    const statuses = await Promise.all(calls);
    expect(statuses.filter((s) => s === 200).length, statuses.join(',')).toBe(N);
    expect(statuses.filter((s) => s === 429).length).toBe(2 * N);
  }, 60_000);

  it('killing a replica mid-upload loses nothing acknowledged and leaves no half document', async () => {
    const [a, b, c] = replicas;
    const bodies = Array.from(
      { length: 8 },
      (_, i) =>
        `# Note ${i}\n\n${'La mairie annexe ouvre le samedi matin pour les démarches d’état civil. '.repeat(400)}\n`,
    );
    const acknowledged: string[] = [];
    let firstAck!: () => void;
    const oneAcknowledged = new Promise<void>((r) => (firstAck = r));
    const uploads = bodies.map(
      (text, i) =>
        upload(c, adminKey, collection, `note-${i}.md`, text)
          .then(async (r) => {
            if (r.status === 201) acknowledged.push(((await r.json()) as { id: string }).id);
            firstAck();
            return r.status;
          })
          .catch(() => 0), // the connection died with the replica
    );
    // Kill as soon as one upload is acknowledged: the others are still in flight.
    await Promise.race([oneAcknowledged, new Promise((r) => setTimeout(r, 10_000))]);
    const exited = new Promise((r) => c.child.once('exit', r));
    c.child.kill('SIGKILL');
    const statuses = await Promise.all(uploads);
    await exited;
    expect(acknowledged.length, statuses.join(',')).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 0).length, statuses.join(',')).toBeGreaterThanOrEqual(1); // really mid-request

    // Every acknowledged document is there, whole, through the survivors.
    const list = await fetch(`${a.url}/v1/documents?collection=${collection}&limit=100`, {
      headers: headers(adminKey, false),
    });
    expect(list.status).toBe(200);
    const listed = ((await list.json()) as { data: { id: string }[] }).data.map((d) => d.id);
    for (const id of [documentId, ...acknowledged]) expect(listed).toContain(id);
    for (const id of listed) {
      const d = await fetch(`${b.url}/v1/documents/${id}`, { headers: headers(adminKey, false) });
      expect(d.status).toBe(200);
      expect(((await d.json()) as { chunks: unknown[] }).chunks.length).toBeGreaterThan(0);
    }
    expect(await store.documents.count('service-public')).toBe(FICHES);
    const again = await post(a, '/v1/search', adminKey, { query: SECRET });
    expect(await again.text()).toContain(documentId);
  }, 120_000);

  it('a replica stopped (SIGTERM) just after answering loses none of its usage rows', async () => {
    const b = replicas[1];
    const created = await createApiKey({ store, orgId: DEFAULT_ORG_ID, role: 'agent', name: 'arrêt' });
    for (let i = 0; i < 5; i++) {
      const r = await post(b, '/v1/search', created.key, { query: 'carte grise', k: 1 });
      expect(r.status).toBe(200);
      await r.body?.cancel();
    }
    // Stopped while the rows may still wait in the replica's buffer (250 ms): the timer or the
    // store's close writes them (the close alone is checked in test/store/postgres.test.ts).
    await b.stop();
    expect(b.child.exitCode).toBe(0);
    const rows = await store.accounts.usage.list({ orgId: DEFAULT_ORG_ID, limit: 1000 });
    expect(rows.filter((r) => r.keyId === created.record.id)).toHaveLength(5);
  }, 60_000);
});
