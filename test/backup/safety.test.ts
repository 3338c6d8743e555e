/**
 * Bad days: scheduled backups and their retention, a failed backup reported by /health and doctor,
 * the copy taken before a schema upgrade (and a failing upgrade leaving the schema before it),
 * SIGKILL during a backup and during a migration, and a disk that fills up during uploads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDefaultOrganisation } from '../../src/accounts/create-organisation.js';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import { composeServices } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openDatabase } from '../../src/store/sqlite/open.js';
import { runDoctor } from '../../src/usecases/run-doctor.js';
import { backupsToPrune, runScheduledBackup, type BackupFile } from '../../src/usecases/scheduled-backup.js';
import { createTestKey } from '../helpers/accounts.js';
import { runCli, startCli } from '../helpers/cli.js';
import { uploadForm } from '../documents/helpers.js';

const dirs: string[] = [];
const temp = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `guichet-${name}-`));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const config = (dir: string, backup: Record<string, unknown> = {}) =>
  loadConfig({ env: {}, file: undefined, overrides: { data_dir: dir, log_level: 'silent', backup } });

/** A database file at the schema just before `version` (every earlier migration applied). */
function databaseBefore(dir: string, version: number): void {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, 'guichet.sqlite'));
  db.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  for (const m of MIGRATIONS.filter((x) => x.version < version)) {
    if (m.foreignKeysOff) db.pragma('foreign_keys = OFF');
    if (m.sql) db.exec(m.sql);
    m.run?.(db);
    db.pragma('foreign_keys = ON');
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(
      m.version,
      m.name,
      new Date().toISOString(),
    );
  }
  db.close();
}
const versionOf = (dir: string) => {
  const db = new Database(join(dir, 'guichet.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
  } finally {
    db.close();
  }
};
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));
const PREVIOUS = Math.max(...MIGRATIONS.filter((m) => m.version < LATEST).map((m) => m.version));

describe('scheduled backups', () => {
  it('keeps the newest of each of the last 7 days and 4 weeks, never a manual backup', () => {
    const files: BackupFile[] = [];
    const start = Date.parse('2026-09-01T02:00:00Z');
    for (let day = 0; day < 60; day++)
      for (const hour of [2, 14])
        files.push({
          name: `guichet-auto-${day}-${hour}.zip`,
          bytes: 1,
          created_at: new Date(start + day * 86_400_000 + (hour - 2) * 3_600_000).toISOString(),
          automatic: true,
        });
    files.push({
      name: 'guichet-manuelle.zip',
      bytes: 1,
      created_at: '2026-01-01T00:00:00.000Z',
      automatic: false,
    });
    const pruned = new Set(backupsToPrune(files, { daily: 7, weekly: 4 }));
    const kept = files.filter((f) => !pruned.has(f.name));
    expect(kept.some((f) => f.name === 'guichet-manuelle.zip')).toBe(true);
    const auto = kept.filter((f) => f.automatic);
    // 7 distinct days (the newest backup of each) plus at most 4 weekly ones among older days.
    expect(auto.length).toBeGreaterThanOrEqual(7);
    expect(auto.length).toBeLessThanOrEqual(11);
    expect(new Set(auto.map((f) => f.created_at.slice(0, 10))).size).toBe(auto.length);
    expect(auto.map((f) => f.name)).toContain('guichet-auto-59-14.zip');
    expect(auto.map((f) => f.name)).not.toContain('guichet-auto-59-2.zip');
    const oldest = auto.map((f) => f.created_at).sort()[0]!;
    expect(Date.parse(oldest)).toBeGreaterThan(start + 59 * 86_400_000 - 35 * 86_400_000);
  });

  it('backs up once per period (another replica finds it done), then prunes; a failure is recorded and reported', async () => {
    const dir = temp('auto');
    const store = openSqliteStore(dir);
    await ensureDefaultOrganisation(store, DEFAULT_ORG_ID);
    try {
      const c = config(dir, { schedule: 'daily' });
      let now = new Date('2026-12-01T03:00:00Z');
      const first = await runScheduledBackup({ config: c, store, now: () => now });
      expect(first?.ok, first?.message ?? '').toBe(true);
      expect(await runScheduledBackup({ config: c, store, now: () => now })).toBeNull();
      now = new Date('2026-12-02T03:00:00Z');
      expect((await runScheduledBackup({ config: c, store, now: () => now }))?.ok).toBe(true);
      expect(readdirSync(join(dir, 'sauvegardes')).filter((n) => n.startsWith('guichet-auto-'))).toHaveLength(
        2,
      );

      // A folder that cannot be created (a file stands in its way): recorded, shown by doctor.
      writeFileSync(join(dir, 'pas-un-dossier'), '');
      const broken = config(dir, { schedule: 'daily', folder: join(dir, 'pas-un-dossier', 'sauvegardes') });
      now = new Date('2026-12-03T03:00:00Z');
      const failed = await runScheduledBackup({ config: broken, store, now: () => now });
      expect(failed?.ok).toBe(false);
      const checks = await runDoctor({ config: broken, store, providers: [] });
      const check = checks.find((x) => x.name === 'sauvegardes')!;
      expect(check.status).toBe('error');
      expect(check.detail).toMatch(/a échoué/);
      expect(checks.find((x) => x.name === 'espace disque (données)')?.status).toBe('ok');

      const services = composeServices({ config: broken, store, env: {} });
      const health = await createApp(services).request('/health');
      const body = (await health.json()) as { backup: { last: { ok: boolean; message: string } } };
      expect(body.backup.last.ok).toBe(false);
      expect(body.backup.last.message).toBeTruthy();
    } finally {
      await store.close();
    }
  }, 120_000);
});

describe('schema upgrades', () => {
  it('copies the database before migrating an existing one, and not a new one', () => {
    const fresh = temp('fresh');
    openDatabase(fresh).db.close();
    expect(existsSync(join(fresh, 'sauvegardes'))).toBe(false);

    const old = temp('old');
    databaseBefore(old, LATEST);
    expect(versionOf(old)).toBe(PREVIOUS);
    openDatabase(old).db.close();
    expect(versionOf(old)).toBe(LATEST);
    const copies = readdirSync(join(old, 'sauvegardes'));
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(new RegExp(`^avant-migration-v${PREVIOUS}-v${LATEST}-.*\\.sqlite$`));
    const copy = new Database(join(old, 'sauvegardes', copies[0]!), { readonly: true });
    expect((copy.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v).toBe(
      PREVIOUS,
    );
    copy.close();
  });

  it('a failing migration is rolled back: the schema before it stays, the message says where the copy is', () => {
    // The newest migration that creates a named object without IF NOT EXISTS: an object of that name
    // made beforehand makes it fail.
    const pattern = /CREATE\s+(TABLE|INDEX|TRIGGER|VIEW)\s+(?!IF\s)(\w+)/i;
    const target = [...MIGRATIONS].reverse().find((m) => pattern.test(m.sql))!;
    expect(target, 'a migration creating a named object').toBeDefined();
    const name = pattern.exec(target.sql)![2]!;
    const dir = temp('failing');
    databaseBefore(dir, target.version);
    const db = new Database(join(dir, 'guichet.sqlite'));
    db.exec(`CREATE VIEW ${name} AS SELECT 1 AS x`);
    db.close();
    const before = versionOf(dir);
    const r = runCli(['migrate'], { GUICHET_DATA_DIR: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`mise à jour ${target.version} .* a échoué .* restée au schéma ${before}`),
    );
    expect(r.stderr).toContain('sauvegardes');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(versionOf(dir)).toBe(before);
    expect(
      readdirSync(join(dir, 'sauvegardes')).some((n) => n.startsWith(`avant-migration-v${before}-`)),
    ).toBe(true);
  }, 60_000);
});

describe('SIGKILL', () => {
  /** A store at the schema before the newest, with ~60 MB of rows so that copies take a moment. */
  function bigOldStore(): string {
    const dir = temp('kill');
    databaseBefore(dir, LATEST);
    const db = new Database(join(dir, 'guichet.sqlite'));
    const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    const blob = 'x'.repeat(100_000);
    db.transaction(() => {
      for (let i = 0; i < 600; i++) insert.run(`charge-${i}`, blob + i);
    })();
    db.close();
    return dir;
  }
  const integrity = (dir: string) => {
    const db = new Database(join(dir, 'guichet.sqlite'), { readonly: true });
    try {
      return {
        check: (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
        rows: (db.prepare(`SELECT COUNT(*) AS n FROM meta WHERE key LIKE 'charge-%'`).get() as { n: number })
          .n,
      };
    } finally {
      db.close();
    }
  };
  const killAfter = async (args: string[], env: Record<string, string>, ms: number) => {
    const child = startCli(args, env);
    // Listened to from the start: a command quicker than `ms` has exited before the kill.
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, ms));
    child.kill('SIGKILL');
    await exited;
  };

  it('during a migration: the store is intact and the next start completes', async () => {
    for (const ms of [400, 900]) {
      const dir = bigOldStore();
      await killAfter(['migrate'], { GUICHET_DATA_DIR: dir }, ms);
      expect(integrity(dir)).toEqual({ check: 'ok', rows: 600 });
      expect([PREVIOUS, LATEST]).toContain(versionOf(dir));
      const again = runCli(['migrate'], { GUICHET_DATA_DIR: dir });
      expect(again.status, again.stderr).toBe(0);
      expect(versionOf(dir)).toBe(LATEST);
      expect(integrity(dir)).toEqual({ check: 'ok', rows: 600 });
    }
  }, 180_000);

  it('during a backup: no file that looks whole is left, the store is intact, the next backup works', async () => {
    const dir = bigOldStore();
    runCli(['migrate'], { GUICHET_DATA_DIR: dir });
    const out = join(dir, 'sorties');
    for (const ms of [500, 1200]) {
      await killAfter(['backup', '--to', `${out}/`], { GUICHET_DATA_DIR: dir }, ms);
      expect(integrity(dir)).toEqual({ check: 'ok', rows: 600 });
      const names = existsSync(out) ? readdirSync(out) : [];
      // Either nothing, or a complete archive (the kill came after the rename), never a partial one.
      for (const n of names.filter((x) => x.startsWith('guichet-'))) {
        const r = runCli(['restore', join(out, n), '--data-dir', join(dir, `verif-${ms}`)]);
        expect(r.status, r.stderr).toBe(0);
      }
    }
    const ok = runCli(['backup', '--to', `${out}/`, '--json'], { GUICHET_DATA_DIR: dir });
    expect(ok.status, ok.stderr).toBe(0);
  }, 240_000);
});

const canMount = (() => {
  if (process.getuid?.() !== 0) return 'pas root : impossible de monter un tmpfs';
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'commande mount absente';
  }
})();
if (canMount && process.env.CI === 'true') throw new Error(`Disque plein : ${canMount} (CI=true : requis)`);
if (canMount) console.warn(`[backup] test « disque plein » ignoré : ${canMount}`);

describe.skipIf(canMount !== null)('a disk that fills up', () => {
  it('an upload that does not fit gets 507 in French, nothing half-stored, reads still answered', async () => {
    const mount = temp('tmpfs');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount]);
    let server: ReturnType<typeof serve> | undefined;
    const store = openSqliteStore(join(mount, 'data'));
    try {
      const c = config(join(mount, 'data'));
      await ensureDefaultOrganisation(store, DEFAULT_ORG_ID);
      const key = await createTestKey(store, { role: 'admin' });
      const services = composeServices({ config: c, store, env: {} });
      const app = createApp(services);
      server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const auth = { authorization: `Bearer ${key}` };
      const created = await fetch(`${url}/v1/collections`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Mairie' }),
      });
      expect(created.status).toBe(201);
      const collection = ((await created.json()) as { id: string }).id;
      const words = 'cantine périscolaire inscription quotient familial tarif délibération conseil municipal';
      let full: Response | undefined;
      let stored = 0;
      for (let i = 0; i < 60 && !full; i++) {
        const text =
          `# Note ${i}\n\n` + Array.from({ length: 2500 }, (_, j) => `${words} ${i}-${j}.`).join(' ');
        const r = await fetch(`${url}/v1/documents`, {
          method: 'POST',
          headers: auth,
          body: uploadForm({ bytes: text, fileName: `note-${i}.md`, collection }),
        });
        if (r.status === 201) stored++;
        else full = r;
      }
      expect(full, 'the disk never filled').toBeDefined();
      expect(full!.status).toBe(507);
      const body = (await full!.json()) as { error: { message: string; code: string } };
      expect(body.error.code).toBe('insufficient_storage');
      expect(body.error.message).toMatch(/disque .* plein/);
      // Nothing half-stored: every document listed has its passages.
      const docs = await store.documents.list(collection);
      expect(docs).toHaveLength(stored);
      for (const d of docs) expect((await store.documents.chunks(d.id)).length).toBeGreaterThan(0);
      // Reads are still served.
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const s = await fetch(`${url}/v1/search`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'cantine quotient familial', k: 3, collections: [collection] }),
      });
      expect(s.status).toBe(200);
      if (stored > 0) expect(((await s.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    } finally {
      if (server) await new Promise<void>((r) => server!.close(() => r()));
      await store.close().catch(() => undefined);
      execFileSync('umount', ['-l', mount]);
    }
  }, 180_000);
});
