/**
 * A job survives the death of its replica (pg-boss on the real PostgreSQL server): worker A starts
 * the corpus refresh and is killed (SIGKILL) mid-way; after the job's expiry, worker B takes it over
 * and completes it: every publication is in the store, the job reports a retry and its result.
 * Unreachable PostgreSQL: skipped with a printed reason, except under CI=true where it fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createJobQueue, type JobQueue, type JobStatus } from '../../src/jobs/index.js';
import { INGEST_SERVICE_PUBLIC_JOB } from '../../src/jobs/ingest-job.js';
import { openStore, type Store } from '../../src/store/index.js';
import { ROOT } from '../helpers/cli.js';
import { writeXmlCorpus } from '../knowledge/xml-corpus.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';

const reason = await unreachableReason();
if (reason && process.env.CI === 'true') throw new Error(`${reason} (CI=true : PostgreSQL est requis)`);
if (reason) console.warn(`[scale] ${reason} : reprise des tâches ignorée.`);

const FICHES = 300;
const JOBS = {
  expire_seconds: 20,
  retry_limit: 3,
  retry_delay_seconds: 0,
  poll_seconds: 0.5,
  maintenance_seconds: 1,
};
let db: { name: string; url: string };
let xmlDir: string;
let store: Store;
let queue: JobQueue;
const workers: ChildProcess[] = [];

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/scale/job-worker.ts')], {
    cwd: ROOT,
    env: { ...process.env, GUICHET_TEST_DB: db.url, GUICHET_TEST_JOBS: JSON.stringify(JOBS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('prêt') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${err}`)));
  });
}

async function waitFor(id: string, done: (s: JobStatus) => boolean, timeoutMs: number): Promise<JobStatus> {
  const until = Date.now() + timeoutMs;
  let s: JobStatus | null = null;
  while (Date.now() < until) {
    s = await queue.get(id);
    if (s && done(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} not there in time: ${JSON.stringify(s)}`);
}

beforeAll(async () => {
  if (reason) return;
  db = await createDatabase();
  xmlDir = mkdtempSync(join(tmpdir(), 'guichet-xml-'));
  writeXmlCorpus(xmlDir, FICHES);
  const config = loadConfig({ env: {}, overrides: { store: { database_url: db.url }, jobs: JOBS } });
  store = await openStore({
    dataDir: '.',
    databaseUrl: db.url,
    postgres: { logger: { warn: () => undefined } },
  });
  queue = createJobQueue(config, store);
}, 60_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await queue?.close();
  await store?.close();
  if (db) await dropDatabase(db.name);
  if (xmlDir) rmSync(xmlDir, { recursive: true, force: true });
});

describe.skipIf(reason !== null)('jobs on PostgreSQL (pg-boss)', () => {
  it('a refresh whose worker is killed mid-way is completed by another worker', async () => {
    const a = await startWorker();
    const id = await queue.enqueue(INGEST_SERVICE_PUBLIC_JOB, { source: xmlDir });
    const running = await waitFor(id, (s) => s.state === 'running' && (s.progress?.done ?? 0) > 0, 60_000);
    expect(running.progress!.done).toBeLessThan(FICHES);
    a.kill('SIGKILL');
    await new Promise((r) => a.once('exit', r));
    const before = await store.documents.count('service-public');
    expect(before).toBeLessThan(FICHES); // the kill did interrupt the work
    expect((await queue.get(id))!.state).toBe('running'); // nobody knows yet that A is dead

    await startWorker();
    const done = await waitFor(id, (s) => s.state === 'completed' || s.state === 'failed', 120_000);
    expect(done.state, JSON.stringify(done)).toBe('completed');
    expect(done.retries).toBeGreaterThanOrEqual(1);
    expect(done.progress).toEqual({ done: FICHES, total: FICHES });
    expect(await store.documents.count('service-public')).toBe(FICHES);
    expect(await queue.depth()).toBe(0);
  }, 240_000);
});
