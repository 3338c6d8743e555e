/**
 * The real app on loopback over SQLite or PostgreSQL, for the hostile-input suite, and a probe that
 * measures `/health` (or any request) while something else runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { ensureDefaultOrganisation } from '../../src/accounts/create-organisation.js';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import { composeServices } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import { openStore } from '../../src/store/index.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';
import type { RunningApp } from '../helpers/accounts.js';

export type Engine = 'sqlite' | 'postgres';

/** Why the engine cannot be used here (null: it can); under CI=true a missing PostgreSQL is an error. */
export async function engineMissing(engine: Engine): Promise<string | null> {
  if (engine === 'sqlite') return null;
  const reason = await unreachableReason();
  if (reason && process.env.CI === 'true') throw new Error(reason);
  return reason;
}

export async function startEngineApp(
  engine: Engine,
  config: Record<string, unknown> = {},
  extra: Partial<Services> = {},
): Promise<RunningApp> {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-hostile-'));
  const db = engine === 'postgres' ? await createDatabase() : null;
  const cfg = loadConfig({
    env: {},
    file: undefined,
    overrides: { data_dir: dir, log_level: 'silent', ...config },
  });
  const store = await openStore({
    dataDir: dir,
    databaseUrl: db?.url,
    postgres: { logger: { warn: () => undefined } },
  });
  await ensureDefaultOrganisation(store, DEFAULT_ORG_ID);
  const composed = composeServices({
    config: cfg,
    store,
    env: {},
    ...(extra.limiter ? { limiter: extra.limiter } : {}),
  });
  const services = Object.assign(Object.create(null) as object, composed, extra, { dir }) as Services & {
    dir: string;
  };
  const app = createApp(services);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    services,
    async close() {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await services.close();
      if (db) await dropDatabase(db.name);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Probe {
  /** Stops probing; returns the latencies measured, in ms. */
  stop(): Promise<number[]>;
}

/** Requests `path` one after the other (a pause of `everyMs` between two) until stopped. */
export function probe(url: string, init: () => RequestInit = () => ({}), everyMs = 20): Probe {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      const res = await fetch(url, init());
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${url} → ${res.status}`);
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export interface SendJob {
  url: string;
  key: string;
  collection: string;
  bytes: Buffer;
  fileName: string;
}
export interface SendResult {
  status: number;
  body: any;
  ms: number;
}

/**
 * Uploads to send at once from a child process (test/hostile/send.mjs): the files are written to
 * disk now (writing tens of MB blocks this thread), sent by `run()`; `dispose()` removes them.
 */
export function prepareSend(jobs: SendJob[]): { run(): Promise<SendResult[]>; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-send-'));
  const specs = jobs.map((j, i) => {
    const file = join(dir, `${i}`);
    writeFileSync(file, j.bytes);
    return { url: j.url, key: j.key, collection: j.collection, fileName: j.fileName, file };
  });
  return {
    async run() {
      const child = spawn(process.execPath, [SEND, JSON.stringify(specs)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      if (code !== 0) throw new Error(`send.mjs: ${code} ${err}`);
      return JSON.parse(out) as SendResult[];
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const SEND = fileURLToPath(new URL('./send.mjs', import.meta.url));

/**
 * The /health p99 allowed during hostile work: 100 ms, the target. On a machine already
 * overloaded by other processes (the idle p99 itself above 20 ms), the excess of the idle p99 is
 * added, so that the bound measures what the server does, not what the neighbours do.
 */
export async function healthBound(url: string, ms = 2000): Promise<{ allowed: number; idleP99: number }> {
  const p = probe(`${url}/health`);
  await new Promise((r) => setTimeout(r, ms));
  const idleP99 = percentile(await p.stop(), 99);
  const allowed = 100 + Math.max(0, idleP99 - 20);
  if (allowed > 100)
    console.warn(
      `machine chargée : /health p99 au repos ${idleP99.toFixed(0)} ms, borne ${allowed.toFixed(0)} ms`,
    );
  return { allowed, idleP99 };
}
