/**
 * Automatic backups of `guichet serve`: every `backup.schedule` period a replica takes the store's
 * `backup` lock (an advisory lock on PostgreSQL: one replica at a time), skips if another just did
 * it, writes `guichet-auto-…` into the backup folder, keeps the newest of each of the last
 * `keep.daily` days and `keep.weekly` weeks, and records the outcome in the store (`backup.last`),
 * which `/health`, `guichet doctor` and the admin API report. A failure is recorded, never thrown.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Store } from '../store/spec.js';
import { backupFolder, backupStore } from './backup-store.js';

export const AUTO_PREFIX = 'guichet-auto-';
const PERIOD_MS = { hourly: 3_600_000, daily: 86_400_000, weekly: 7 * 86_400_000 } as const;
const LAST_KEY = 'backup.last';

export interface BackupStatus {
  at: string;
  ok: boolean;
  file: string | null;
  bytes: number | null;
  duration_ms: number;
  message: string | null;
}

export interface BackupFile {
  name: string;
  bytes: number;
  created_at: string;
  automatic: boolean;
}

export async function lastBackup(store: Store): Promise<BackupStatus | null> {
  const raw = await store.meta.get(LAST_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as BackupStatus;
  } catch {
    return null;
  }
}

/** Backups in the folder, newest first (an absent folder lists nothing). */
export function listBackups(config: Config): BackupFile[] {
  const dir = backupFolder(config);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^guichet-.*\.zip(\.chiffre)?$/.test(n))
    .map((name) => {
      const st = statSync(join(dir, name));
      // The date is the one of the snapshot, in the name (a copied file's mtime is the copy's).
      const m = /-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\.zip/.exec(name);
      return {
        name,
        bytes: st.size,
        created_at: m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : st.mtime.toISOString(),
        automatic: name.startsWith(AUTO_PREFIX),
      };
    })
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
}

function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const jan1 = Date.UTC(t.getUTCFullYear(), 0, 1);
  return `${t.getUTCFullYear()}-W${Math.ceil(((t.getTime() - jan1) / 86_400_000 + 1) / 7)}`;
}

/**
 * Which automatic backups to delete: kept are the newest of each of the `daily` most recent days and
 * of each of the `weekly` most recent ISO weeks that have one. Manual backups are never deleted.
 */
export function backupsToPrune(files: BackupFile[], keep: Config['backup']['keep']): string[] {
  const auto = files.filter((f) => f.automatic).sort((a, b) => b.created_at.localeCompare(a.created_at));
  const kept = new Set<string>();
  const days = new Set<string>();
  const weeks = new Set<string>();
  for (const f of auto) {
    const d = new Date(f.created_at);
    const day = f.created_at.slice(0, 10);
    if (!days.has(day) && days.size < keep.daily) {
      days.add(day);
      kept.add(f.name);
    }
    const week = isoWeek(d);
    if (!weeks.has(week) && weeks.size < keep.weekly) {
      weeks.add(week);
      kept.add(f.name);
    }
  }
  return auto.filter((f) => !kept.has(f.name)).map((f) => f.name);
}

/** One scheduled run (also what the tests call): returns the recorded status, or null if skipped. */
export async function runScheduledBackup(o: {
  config: Config;
  store: Store;
  passphrase?: string;
  now?: () => Date;
  log?: { info(m: string): void; warn(m: string): void };
}): Promise<BackupStatus | null> {
  const schedule = o.config.backup.schedule;
  if (schedule === 'off') return null;
  const now = o.now ?? (() => new Date());
  return o.store.meta.exclusive('backup', async () => {
    const last = await lastBackup(o.store);
    if (last?.ok && now().getTime() - Date.parse(last.at) < PERIOD_MS[schedule] * 0.95) return null;
    const started = now();
    let status: BackupStatus;
    try {
      const r = await backupStore({
        config: o.config,
        passphrase: o.passphrase,
        now: started,
        prefix: AUTO_PREFIX,
      });
      status = {
        at: started.toISOString(),
        ok: true,
        file: r.file,
        bytes: r.bytes,
        duration_ms: r.durationMs,
        message: null,
      };
      const dir = backupFolder(o.config);
      for (const name of backupsToPrune(listBackups(o.config), o.config.backup.keep))
        rmSync(join(dir, name), { force: true });
      o.log?.info(`Sauvegarde automatique écrite : ${r.file}`);
    } catch (e) {
      status = {
        at: started.toISOString(),
        ok: false,
        file: null,
        bytes: null,
        duration_ms: Date.now() - started.getTime(),
        message: (e as Error).message,
      };
      o.log?.warn(`Sauvegarde automatique en échec : ${status.message}`);
    }
    await o.store.meta.set(LAST_KEY, JSON.stringify(status));
    return status;
  });
}

/**
 * Starts the schedule: a check every 10 minutes, the first one 10 minutes after start (a server
 * started for a moment, a test's, does not back up). Returns its stop.
 */
export function scheduleBackups(o: Parameters<typeof runScheduledBackup>[0]): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const every = setInterval(() => {
    running = runScheduledBackup(o).catch((e) =>
      o.log?.warn(`Sauvegarde automatique : ${(e as Error).message}`),
    );
  }, 600_000);
  every.unref();
  return async () => {
    clearInterval(every);
    await running;
  };
}
