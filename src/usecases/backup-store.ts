/**
 * `guichet backup` and `guichet restore`: everything that cannot be rebuilt (organisations, users,
 * key hashes, quotas, usage, sessions, conversations, feedback, the audit chain, the organisations'
 * collections with their documents' text and passages, the configuration without secrets) in one
 * archive with a manifest; the built-in corpus is left out and re-indexed from its source.
 *
 * A backup is written under a temporary name and renamed once complete: an interrupted backup never
 * leaves a file that looks whole. A restore goes into an empty target only (or replaces it with
 * `force`, the previous SQLite file being kept aside), then checks the audit chain and the row counts
 * against the manifest before it reports success.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  describeParts,
  readArchive,
  writeArchive,
  type ArchivePart,
  type Manifest,
} from '../backup/archive.js';
import { decryptFile, encryptFile, isEncrypted } from '../backup/crypto.js';
import type { Config } from '../config/schema.js';
import { AuditLog } from '../privacy/audit-log.js';
import { AppError } from '../shared/errors.js';
import { openStore } from '../store/index.js';
import { dumpPostgres, postgresCounts, restorePostgres } from '../store/postgres/backup.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { BACKUP_FOLDER } from '../store/sqlite/open.js';
import {
  snapshotSqlite,
  sqliteCounts,
  sqliteDatabaseFile,
  sqliteSchemaVersion,
} from '../store/sqlite/backup.js';
import { SERVICE_PUBLIC_COLLECTION } from './ingest-service-public.js';
import { migrateStore } from './migrate-store.js';

export const GUICHET_VERSION = '0.1.0';
/** Collections rebuilt from a public source rather than copied. */
export const BUILT_IN_COLLECTIONS = [SERVICE_PUBLIC_COLLECTION, 'travail-emploi'];
/** Tables a restore compares with the manifest (documents and chunks minus the built-in corpus). */
const COMPARED = [
  'organisations',
  'services',
  'users',
  'api_keys',
  'quotas',
  'audit_log',
  'conversations',
  'messages',
  'feedback',
  'collections',
];

const STORE_PART = { sqlite: 'store.sqlite', postgres: 'store.pgdump' } as const;
const CONFIG_PART = 'guichet.yaml';

export interface BackupResult {
  file: string;
  bytes: number;
  encrypted: boolean;
  durationMs: number;
  manifest: Manifest;
}

/** The configuration as a YAML file, secrets out: passwords in URLs and secret-named values masked. */
export function redactedConfig(config: Config): string {
  const walk = (v: unknown, key = ''): unknown => {
    if (typeof v === 'string') {
      if (/(secret|password|passphrase|token)$/i.test(key)) return '***';
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
        try {
          const u = new URL(v);
          if (u.password) {
            u.password = '***';
            return u.toString();
          }
        } catch {
          return v;
        }
      }
      return v;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return stringify(walk(config));
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** Where backups go: `backup.folder`, else `sauvegardes/` in the data folder. */
export function backupFolder(config: Config): string {
  return resolve(config.backup.folder ?? join(config.data_dir, BACKUP_FOLDER));
}

/** `--to`: a folder (existing, or written with a trailing slash) gets a dated file name. */
export function backupTarget(
  to: string | undefined,
  config: Config,
  now: Date,
  encrypted: boolean,
  prefix = 'guichet-',
): string {
  const dir = to ?? backupFolder(config);
  const isDir = to === undefined || /[/\\]$/.test(to) || (existsSync(to) && statSync(to).isDirectory());
  const file = isDir ? join(dir, `${prefix}${stamp(now)}.zip${encrypted ? '.chiffre' : ''}`) : to;
  return resolve(file);
}

/**
 * The PostgreSQL hook run before migrations change an existing schema: a `pg_dump` into the backup
 * folder (a throw, pg_dump missing included, leaves the schema untouched). SQLite copies its file
 * itself (`store/sqlite/open.ts`). Off with `backup.before_migration: false`.
 */
export function preMigrationBackup(
  config: Config,
): ((from: number, to: number) => Promise<void>) | undefined {
  const url = config.store.database_url;
  if (!url || !config.backup.before_migration) return undefined;
  return async (from, to) => {
    const dir = backupFolder(config);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `avant-migration-v${from}-v${to}-${stamp(new Date())}.pgdump`);
    try {
      await dumpPostgres(url, `${file}.partiel`);
    } catch (e) {
      rmSync(`${file}.partiel`, { force: true });
      throw new AppError(
        (e as AppError).code === 'service_unavailable' ? 'service_unavailable' : 'insufficient_storage',
        `Mise à jour du schéma PostgreSQL (${from} → ${to}) non appliquée : la copie de sécurité a échoué (${(e as Error).message}). Corrigez, ou désactivez backup.before_migration après une sauvegarde faite autrement.`,
      );
    }
    renameSync(`${file}.partiel`, file);
  };
}

async function auditOf(
  url: string | undefined,
  dataDir: string,
): Promise<{ ok: boolean; entries: number; head: string | null; problems: string[] }> {
  const store = url ? await openStore({ dataDir, databaseUrl: url }) : openSqliteStore(dataDir);
  try {
    const v = await new AuditLog(store).verify();
    return { ok: v.ok, entries: v.entries, head: v.head ?? null, problems: v.problems.map((p) => p.message) };
  } finally {
    await store.close();
  }
}

export async function backupStore(o: {
  config: Config;
  to?: string;
  passphrase?: string;
  now?: Date;
  /** File name prefix in a folder (`guichet-auto-` for the scheduled ones). */
  prefix?: string;
}): Promise<BackupResult> {
  const started = Date.now();
  const now = o.now ?? new Date();
  const encrypted = Boolean(o.passphrase);
  const target = backupTarget(o.to, o.config, now, encrypted, o.prefix);
  if (existsSync(target))
    throw new AppError('conflict', `Le fichier ${target} existe déjà : rien n'a été écrasé.`);
  mkdirSync(dirname(target), { recursive: true });
  // Work beside the target: same disk, so that a lack of space shows before anything is renamed.
  const work = mkdtempSync(join(dirname(target), '.guichet-sauvegarde-'));
  try {
    const url = o.config.store.database_url;
    const engine = url ? 'postgres' : 'sqlite';
    let counts: Record<string, number>;
    let version: number;
    let audit: Manifest['audit'];
    const storeFile = join(work, STORE_PART[engine]);
    let excluded: string[] = [];
    let pgSchema: string | undefined;
    let pgExtensions: string[] | undefined;
    if (url) {
      const dump = await dumpPostgres(url, storeFile);
      pgSchema = dump.schema;
      pgExtensions = dump.extensions;
      counts = dump.counts;
      version = dump.schemaVersion;
      const a = await auditOf(url, o.config.data_dir);
      audit = { entries: a.entries, head: a.head };
    } else {
      const snapDir = join(work, 'snapshot');
      mkdirSync(snapDir);
      excluded = BUILT_IN_COLLECTIONS;
      const copy = await snapshotSqlite(o.config.data_dir, snapDir, excluded);
      const a = await auditOf(undefined, snapDir);
      audit = { entries: a.entries, head: a.head };
      counts = sqliteCounts(copy);
      version = sqliteSchemaVersion(copy);
      renameSync(copy, storeFile);
    }
    const configFile = join(work, CONFIG_PART);
    writeFileSync(configFile, redactedConfig(o.config));
    const parts: ArchivePart[] = [
      { name: STORE_PART[engine], file: storeFile },
      { name: CONFIG_PART, file: configFile },
    ];
    const manifest: Manifest = {
      format: ARCHIVE_FORMAT,
      format_version: ARCHIVE_FORMAT_VERSION,
      guichet_version: GUICHET_VERSION,
      created_at: now.toISOString(),
      engine,
      schema_version: version,
      counts,
      excluded_collections: excluded,
      ...(pgSchema ? { postgres_schema: pgSchema, postgres_extensions: pgExtensions } : {}),
      audit,
      parts: await describeParts(parts),
    };
    const zip = join(work, 'archive.zip');
    await writeArchive(zip, manifest, parts);
    const partial = join(work, basename(target));
    if (o.passphrase) await encryptFile(zip, partial, o.passphrase);
    else renameSync(zip, partial);
    renameSync(partial, target);
    return {
      file: target,
      bytes: statSync(target).size,
      encrypted,
      durationMs: Date.now() - started,
      manifest,
    };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC')
      throw new AppError(
        'insufficient_storage',
        `Plus de place sur le disque de ${dirname(target)} : sauvegarde abandonnée, rien n'a été écrit. Libérez de l'espace ou choisissez un autre --to.`,
      );
    throw e;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface RestoreResult {
  engine: 'sqlite' | 'postgres';
  target: string;
  manifest: Manifest;
  counts: Record<string, number>;
  audit: { ok: boolean; entries: number };
  /** The previous database, kept aside when `force` replaced one (SQLite). */
  previous: string | null;
  durationMs: number;
}

/** Restores an archive into the configured store (SQLite data folder or PostgreSQL database). */
export async function restoreStore(o: {
  archive: string;
  dataDir: string;
  databaseUrl?: string;
  passphrase?: string;
  force?: boolean;
}): Promise<RestoreResult> {
  const started = Date.now();
  if (!existsSync(o.archive)) throw new AppError('not_found', `Sauvegarde introuvable : ${o.archive}`);
  const work = mkdtempSync(join(dirname(resolve(o.archive)), '.guichet-restauration-'));
  try {
    let archive = o.archive;
    if (isEncrypted(archive)) {
      if (!o.passphrase)
        throw new AppError(
          'invalid_request',
          'Cette sauvegarde est chiffrée : donnez sa phrase de passe dans la variable GUICHET_BACKUP_PASSPHRASE.',
        );
      archive = join(work, 'archive.zip');
      await decryptFile(o.archive, archive, o.passphrase);
    }
    const { manifest, files } = await readArchive(archive, (name) =>
      name === 'store.sqlite' || name === 'store.pgdump' || name === CONFIG_PART ? join(work, name) : null,
    );
    let previous: string | null = null;
    let target: string;
    let counts: Record<string, number>;
    const to = o.databaseUrl ? 'postgres' : 'sqlite';
    if (manifest.engine === 'sqlite') {
      const restored = join(work, 'restored');
      mkdirSync(restored);
      renameSync(files.get('store.sqlite')!, sqliteDatabaseFile(restored));
      // Opening runs the migrations of a newer Guichet, each in its transaction, on the copy.
      await openSqliteStore(restored).close();
      if (to === 'sqlite') {
        const live = sqliteDatabaseFile(o.dataDir);
        if (existsSync(live) && !o.force)
          throw new AppError(
            'conflict',
            `Le dossier ${o.dataDir} contient déjà une base Guichet : restaurez dans un dossier vide, ou ajoutez --force pour la remplacer (l'ancienne est gardée à côté).`,
          );
        mkdirSync(o.dataDir, { recursive: true });
        if (existsSync(live)) {
          previous = `${live}.avant-restauration-${stamp(new Date())}`;
          renameSync(live, previous);
          for (const ext of ['-wal', '-shm'])
            if (existsSync(live + ext)) renameSync(live + ext, previous + ext);
        }
        const partial = `${live}.restauration`;
        copyFileSync(sqliteDatabaseFile(restored), partial);
        renameSync(partial, live);
        if (files.has(CONFIG_PART))
          copyFileSync(files.get(CONFIG_PART)!, join(o.dataDir, 'guichet.sauvegarde.yaml'));
        target = live;
        counts = sqliteCounts(live);
      } else {
        await migrateStore({ dataDir: restored, databaseUrl: o.databaseUrl!, force: o.force === true });
        target = o.databaseUrl!;
        counts = await postgresCounts(o.databaseUrl!);
      }
    } else {
      if (to === 'sqlite')
        throw new AppError(
          'invalid_request',
          'Cette sauvegarde vient de PostgreSQL : restaurez-la dans PostgreSQL (définissez DATABASE_URL ou --database-url).',
        );
      const schema = manifest.postgres_schema ?? 'public';
      await restorePostgres(o.databaseUrl!, files.get('store.pgdump')!, {
        force: o.force === true,
        schema,
        extensions: manifest.postgres_extensions ?? [],
      });
      target = o.databaseUrl!;
      counts = await postgresCounts(o.databaseUrl!);
    }
    const audit = await auditOf(o.databaseUrl, o.dataDir);
    const mismatched = COMPARED.filter((t) => (manifest.counts[t] ?? 0) !== (counts[t] ?? 0));
    if (!audit.ok || audit.entries !== manifest.audit.entries || mismatched.length > 0)
      throw new AppError(
        'store_corrupted',
        `Restauration incomplète : ${!audit.ok ? `journal d'audit altéré (${audit.problems[0] ?? ''})` : audit.entries !== manifest.audit.entries ? `${audit.entries} entrées d'audit au lieu de ${manifest.audit.entries}` : `tables différentes de la sauvegarde : ${mismatched.join(', ')}`}.`,
      );
    return {
      engine: to,
      target,
      manifest,
      counts,
      audit: { ok: audit.ok, entries: audit.entries },
      previous,
      durationMs: Date.now() - started,
    };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC')
      throw new AppError(
        'insufficient_storage',
        "Plus de place sur le disque : restauration abandonnée. Libérez de l'espace puis recommencez.",
      );
    throw e;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
