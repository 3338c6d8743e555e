/**
 * The corpus refresh as a job through the real app (`POST /v1/admin/knowledge/refresh`, its progress
 * and result by `GET /v1/admin/jobs/{id}`), the corpus date and last attempt in `/health` and
 * `guichet doctor`, and the schedule: one replica queues a due refresh (PostgreSQL named lock).
 * Unreachable PostgreSQL: that part skips with a printed reason, except under CI=true where it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineJobQueue } from '../../src/jobs/inline.js';
import { REFRESH_SERVICE_PUBLIC_JOB, scheduleRefresh } from '../../src/jobs/refresh-job.js';
import type { JobQueue } from '../../src/jobs/spec.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/spec.js';
import { knowledgeSchema } from '../../src/knowledge/config.js';
import { createEgressFetch } from '../../src/models/http-client.js';
import { readLastRefresh, refreshServicePublic } from '../../src/usecases/refresh-service-public.js';
import { runDoctor } from '../../src/usecases/run-doctor.js';
import { searchKnowledge } from '../../src/usecases/search-knowledge.js';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';
import { schemaFactory, unreachableReason } from '../store/postgres-server.js';
import { archive, fixture, loopback, merge, zipOf, type Loopback } from './dila-server.js';
import { xmlPublications } from './xml-corpus.js';

const reason = await unreachableReason();
if (reason && process.env.CI === 'true') throw new Error(`${reason} (CI=true : PostgreSQL est requis)`);
if (reason) console.warn(`[refresh] ${reason} : planification sur plusieurs répliques ignorée.`);

interface JobJson {
  id: string;
  object: 'job';
  type: string;
  status: string;
  progress: { done: number; total: number } | null;
  result: Record<string, unknown> & { changes: { id: string; title: string; change: string }[] };
  error: string | null;
}

describe('POST /v1/admin/knowledge/refresh, /health and doctor', () => {
  let dila: Loopback;
  let app: RunningApp;
  let root: string;

  beforeAll(async () => {
    dila = await loopback();
    dila.routes.set(
      '/part.zip',
      archive(
        await zipOf(merge(xmlPublications('particuliers', 6), { 'F90001.xml': fixture('F90001.xml') })),
      ),
    );
    dila.routes.set(
      '/pro.zip',
      archive(
        await zipOf(merge(xmlPublications('professionnels', 3), { 'F90002.xml': fixture('F90002.xml') })),
      ),
    );
    dila.routes.set('/asso.zip', archive(await zipOf({ 'R90003.xml': fixture('R90003.xml') })));
    app = await startTestApp({
      config: {
        knowledge: {
          service_public: {
            sources: {
              particuliers: `${dila.origin}/part.zip`,
              professionnels: `${dila.origin}/pro.zip`,
              associations: `${dila.origin}/asso.zip`,
            },
            redirect_origins: [],
            refresh: 'off',
          },
        },
      },
    });
    root = await createTestKey(app.services.store, { role: 'superadmin' });
  }, 60_000);

  afterAll(async () => {
    await app?.services.jobs?.close();
    await app?.close();
    await dila?.close();
  });

  const health = async () =>
    (
      (await (await fetch(`${app.url}/health`)).json()) as {
        corpus: {
          date: string | null;
          stale: boolean;
          last_refresh: { at: string; ok: boolean; message: string } | null;
        };
      }
    ).corpus;

  async function runJob(): Promise<JobJson> {
    const r = await fetch(`${app.url}/v1/admin/knowledge/refresh`, { method: 'POST', headers: bearer(root) });
    expect(r.status).toBe(202);
    let job = (await r.json()) as JobJson;
    expect(job.type).toBe(REFRESH_SERVICE_PUBLIC_JOB);
    for (let i = 0; i < 300 && (job.status === 'queued' || job.status === 'running'); i++) {
      await new Promise((res) => setTimeout(res, 100));
      const g = await fetch(`${app.url}/v1/admin/jobs/${job.id}`, { headers: bearer(root) });
      expect(g.status).toBe(200);
      job = (await g.json()) as JobJson;
    }
    return job;
  }

  const search = async (query: string) => {
    const r = await fetch(`${app.url}/v1/search`, {
      method: 'POST',
      headers: bearer(root),
      body: JSON.stringify({ query, collections: ['service-public'] }),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { data: { external_id: string }[] }).data.map((d) => d.external_id);
  };

  it('before any refresh, /health says so: no date, stale, no attempt', async () => {
    expect(await health()).toEqual({ date: null, stale: true, last_refresh: null });
  });

  it('queues the refresh, reports progress and the change report as the job result', async () => {
    const job = await runJob();
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ status: 'updated', removed: 0, updated: 0 });
    expect(job.result.added).toBe(await app.services.store.documents.count('service-public'));
    expect(job.progress).toEqual({ done: job.result.added, total: job.result.added });
    expect(job.result.changes).toContainEqual(
      expect.objectContaining({ id: 'F90001', change: 'added', title: 'Aide exemple au logement' }),
    );
    expect((await search('aide exemple logement locataire'))[0]).toBe('F90001');
    const corpus = await health();
    expect(Object.keys(corpus).sort()).toEqual(['date', 'last_refresh', 'stale']);
    expect(corpus.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(corpus.date).toBe(await app.services.store.meta.get('service_public.latest_date'));
    expect(corpus.stale).toBe(true); // the newest of these fiches is from 2022
    expect(Object.keys(corpus.last_refresh!).sort()).toEqual(['at', 'message', 'ok']);
    expect(corpus.last_refresh).toMatchObject({ ok: true, message: expect.stringMatching(/ajoutée/) });
    expect(Date.now() - Date.parse(corpus.last_refresh!.at)).toBeLessThan(60_000);
  });

  it('a failed refresh: the job fails with one French line, /health and doctor report it, the corpus still serves', async () => {
    dila.routes.set('/pro.zip', (_q, s) => void s.writeHead(503).end());
    const job = await runJob();
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(
      /^Mise à jour du corpus impossible \(archive professionnels.*HTTP 503.*reste en service/,
    );
    expect(job.error).not.toContain('\n');
    const corpus = await health();
    expect(corpus.last_refresh).toMatchObject({ ok: false, message: job.error });
    expect((await search('aide exemple logement locataire'))[0]).toBe('F90001');
    const checks = await runDoctor({ config: app.services.config, store: app.services.store, providers: [] });
    const by = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(by['mise à jour du corpus']).toMatchObject({ status: 'warning' });
    expect(by['mise à jour du corpus'].detail).toContain(job.error!);
    expect(by['fraîcheur du corpus'].status).toBe('warning');
    expect(by['fraîcheur du corpus'].detail).toMatch(/fiche la plus récente : \d\d\/\d\d\/\d{4}/);
    expect(by['fraîcheur du corpus'].fix).toContain('guichet ingest service-public --update');
  });

  it('the data-flow report lists the corpus source with the requests sent to it, and no personal data', async () => {
    const r = await fetch(`${app.url}/v1/admin/data-flows`, { headers: bearer(root) });
    expect(r.status).toBe(200);
    const report = (await r.json()) as {
      endpoints: { id: string; origin: string; requestsSinceStart: number; dataCategories: string[] }[];
    };
    const dilaRow = report.endpoints.find((e) => e.id === 'corpus-dila');
    expect(dilaRow).toMatchObject({ origin: dila.origin });
    expect(dilaRow!.requestsSinceStart).toBe(dila.seen.length);
    expect(dilaRow!.dataCategories.join(' ')).toMatch(/aucune donnée personnelle/);
  });

  it('an organisation admin may not refresh the national corpus', async () => {
    const admin = await createTestKey(app.services.store, { orgId: 'org-a', role: 'admin' });
    const r = await fetch(`${app.url}/v1/admin/knowledge/refresh`, {
      method: 'POST',
      headers: bearer(admin),
    });
    expect(r.status).toBe(403);
  });
});

/** A queue that only records what is queued: the schedule's decision is what is under test. */
function recordingQueue(): JobQueue & { queued: string[] } {
  const queued: string[] = [];
  const inner = new InlineJobQueue();
  return Object.assign(inner, {
    queued,
    enqueue: async (name: string) => {
      queued.push(name);
      return `job-${queued.length}`;
    },
  });
}

describe('scheduled refresh', () => {
  const DAY = 86_400_000;

  async function rounds(stores: Store[]): Promise<number[]> {
    let t = Date.parse('2026-12-01T00:00:00Z');
    const queues = stores.map(() => recordingQueue());
    const schedules = stores.map((store, i) =>
      scheduleRefresh({ store, queue: queues[i], every: 'daily', now: () => t, checkEveryMs: 3_600_000 }),
    );
    const counts: number[] = [];
    const total = () => queues.reduce((n, q) => n + q.queued.length, 0);
    for (const step of [0, 0.5 * DAY, 0.1 * DAY, 0.5 * DAY, 0.9 * DAY, 0.2 * DAY]) {
      t += step;
      await Promise.all(schedules.map((s) => s.check()));
      counts.push(total());
    }
    for (const s of schedules) s.stop();
    expect(queues.flatMap((q) => q.queued).every((n) => n === REFRESH_SERVICE_PUBLIC_JOB)).toBe(true);
    return counts;
  }

  it('SQLite: first refresh an hour after the first start, then daily', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'guichet-schedule-')) });
    // t0: first start; +12 h: due (first delay 1 h); +14.4 h: not again; +26.4 h: not yet; +48 h: due.
    expect(await rounds([store])).toEqual([0, 1, 1, 1, 2, 2]);
    const off = scheduleRefresh({ store, queue: recordingQueue(), every: 'off' });
    expect(await off.check()).toBeNull();
    off.stop();
    await store.close();
  });

  describe.skipIf(reason !== null)('PostgreSQL, three replicas', () => {
    let schemas: Awaited<ReturnType<typeof schemaFactory>>;
    const stores: Store[] = [];
    beforeAll(async () => {
      schemas = await schemaFactory();
      const url = await schemas.next();
      for (let i = 0; i < 3; i++)
        stores.push(
          await openStore({
            dataDir: '.',
            databaseUrl: url,
            postgres: { logger: { warn: () => undefined } },
          }),
        );
    }, 60_000);
    afterAll(async () => {
      for (const s of stores) await s.close();
      await schemas?.dispose();
    });

    it('checking at the same moment, exactly one replica queues each due refresh', async () => {
      expect(await rounds(stores)).toEqual([0, 1, 1, 1, 2, 2]);
    }, 60_000);
  });
});

describe.skipIf(reason !== null)('refresh on PostgreSQL, two replicas at once', () => {
  let schemas: Awaited<ReturnType<typeof schemaFactory>>;
  let dila: Loopback;
  const stores: Store[] = [];
  const dirs: string[] = [];
  beforeAll(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    dila = await loopback();
    dila.routes.set(
      '/part.zip',
      archive(
        await zipOf(merge(xmlPublications('particuliers', 5), { 'F90001.xml': fixture('F90001.xml') })),
      ),
    );
    dila.routes.set('/pro.zip', archive(await zipOf({ 'F90002.xml': fixture('F90002.xml') })));
    schemas = await schemaFactory();
    const url = await schemas.next();
    for (let i = 0; i < 2; i++) {
      stores.push(
        await openStore({ dataDir: '.', databaseUrl: url, postgres: { logger: { warn: () => undefined } } }),
      );
      dirs.push(mkdtempSync(join(tmpdir(), `guichet-replica-${i}-`)));
    }
  }, 60_000);
  afterAll(async () => {
    const { rmSync } = await import('node:fs');
    for (const s of stores) await s.close();
    await schemas?.dispose();
    await dila?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const config = () =>
    knowledgeSchema.parse({
      service_public: {
        sources: {
          particuliers: `${dila.origin}/part.zip`,
          professionnels: `${dila.origin}/pro.zip`,
          associations: null,
        },
        redirect_origins: [],
      },
    }).service_public;
  const run = (i: number) =>
    refreshServicePublic({
      store: stores[i],
      egress: createEgressFetch([dila.origin]),
      config: config(),
      dataDir: dirs[i],
      chunkTokens: 350,
    });

  it('the two run one after the other; the second ingests nothing; a failure changes nothing', async () => {
    const [a, b] = await Promise.all([run(0), run(1)]);
    const counts = [a, b].map((r) => r.summary!).map((s) => [s.added, s.updated, s.removed]);
    // Whichever ran first added everything; the other found every publication unchanged.
    expect(counts.sort()).toEqual([
      [0, 0, 0],
      [7, 0, 0],
    ]);
    expect(await stores[1].documents.count('service-public')).toBe(7);
    const top = await searchKnowledge({
      store: stores[1],
      query: 'aide exemple logement locataire',
      collectionIds: ['service-public'],
    });
    expect(top[0].externalId).toBe('F90001');

    const hashes = await stores[0].documents.hashes('service-public');
    dila.routes.set('/part.zip', archive(await zipOf({ 'F90001.xml': fixture('F90001.xml') })));
    dila.routes.set('/pro.zip', (_q, res) => void res.writeHead(500).end());
    await expect(run(0)).rejects.toThrow(/HTTP 500.*reste en service/);
    expect(await stores[1].documents.hashes('service-public')).toEqual(hashes);
    expect((await readLastRefresh(stores[1]))?.ok).toBe(false);
  }, 120_000);
});
