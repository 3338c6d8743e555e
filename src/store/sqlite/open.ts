import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { AppError, isDiskFull } from '../../shared/errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export interface OpenedDb {
  db: Db;
  file: string;
  vectors: boolean;
}

/**
 * Opens (or creates) the SQLite database of a data folder and runs pending migrations.
 * A file that is not a Guichet database is reported, never overwritten.
 */
export function openDatabase(dataDir: string, options: { readonly?: boolean } = {}): OpenedDb {
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
    throw new AppError('store_corrupted', `Le dossier de données ${dataDir} n'est pas un dossier.`);
  }
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'guichet.sqlite');
  let db: Db;
  try {
    db = new Database(file, { readonly: options.readonly ?? false });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 268435456');
  } catch (e) {
    throw corrupted(file, e);
  }
  cacheStatements(db);
  let vectors = true;
  try {
    sqliteVec.load(db);
  } catch {
    vectors = false;
  }
  try {
    migrate(db);
  } catch (e) {
    db.close();
    if (e instanceof AppError) throw e;
    throw corrupted(file, e);
  }
  return { db, file, vectors };
}

/**
 * Memoises `db.prepare` by SQL text: every repo may write `db.prepare(sql)` where it is used, and the
 * statement is compiled once (compiling costs more than running most of our queries). Bounded, for
 * the few statements built with a variable number of placeholders.
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, ReturnType<Db['prepare']>>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      if (cache.size >= 1000) cache.delete(cache.keys().next().value as string);
      cache.set(sql, stmt);
    }
    return stmt;
  }) as Db['prepare'];
}

function corrupted(file: string, cause: unknown): AppError {
  return new AppError(
    'store_corrupted',
    `La base de données ${file} est illisible ou endommagée (${(cause as Error).message}). ` +
      `Rien n'a été modifié : restaurez une sauvegarde ou choisissez un autre GUICHET_DATA_DIR.`,
    { cause },
  );
}

function migrate(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as {
    name: string;
  }[];
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  if (applied.size === 0 && tables.some((t) => !['schema_migrations'].includes(t.name))) {
    throw new AppError(
      'store_corrupted',
      `La base ${db.name} contient des tables inconnues sans historique de migrations : ce n'est pas une base Guichet. Rien n'a été modifié.`,
    );
  }
  const latest = Math.max(0, ...applied);
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  if (latest > known) {
    throw new AppError(
      'store_corrupted',
      `La base ${db.name} a été créée par une version plus récente de Guichet (schéma ${latest} > ${known}). Mettez Guichet à jour.`,
    );
  }
  if (latest > 0 && MIGRATIONS.some((m) => !applied.has(m.version))) copyBeforeMigration(db, latest, known);
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    if (m.foreignKeysOff) db.pragma('foreign_keys = OFF'); // a no-op inside a transaction: before it
    try {
      db.transaction(() => {
        if (m.sql) db.exec(m.sql);
        m.run?.(db);
        if (m.foreignKeysOff && (db.pragma('foreign_key_check') as unknown[]).length > 0)
          throw new AppError(
            'store_corrupted',
            `Migration ${m.version} (${m.name}) : clés étrangères rompues.`,
          );
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          m.version,
          m.name,
          new Date().toISOString(),
        );
      })();
    } catch (e) {
      throw new AppError(
        'store_corrupted',
        `La mise à jour ${m.version} (${m.name}) du schéma a échoué (${(e as Error).message}) : elle a été annulée, la base est restée au schéma ${schemaVersion(db)}. Une copie d'avant la mise à jour est dans ${join(dirname(db.name), BACKUP_FOLDER)}/ ; signalez l'erreur, ou revenez à la version précédente de Guichet.`,
        { cause: e },
      );
    } finally {
      if (m.foreignKeysOff) db.pragma('foreign_keys = ON');
    }
  }
}

/** Folder of the data directory where backups go (automatic ones and `guichet backup` by default). */
export const BACKUP_FOLDER = 'sauvegardes';

/**
 * Before an upgrade changes the schema of an existing database, a consistent copy of it is written
 * (`VACUUM INTO`: one statement, no partial file left visible) to `sauvegardes/`; when the disk
 * cannot hold it, nothing is migrated and the error says so. Each migration then runs in its own
 * transaction: a failing one leaves the schema of the one before.
 */
function copyBeforeMigration(db: Db, from: number, to: number): void {
  const dir = join(dirname(db.name), BACKUP_FOLDER);
  mkdirSync(dir, { recursive: true });
  const size = statSync(db.name).size;
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  if (free < size * 1.2 + 16 * 1024 * 1024)
    throw new AppError(
      'insufficient_storage',
      `Mise à jour du schéma (${from} → ${to}) refusée : le disque ne peut pas contenir la copie de sécurité (${Math.round(size / 1048576)} Mio nécessaires, ${Math.round(free / 1048576)} Mio libres). Libérez de l'espace puis redémarrez ; la base n'a pas été modifiée.`,
    );
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const target = join(dir, `avant-migration-v${from}-v${to}-${stamp}.sqlite`);
  const partial = `${target}.partiel`;
  // A copy cut short (power cut, SIGKILL) is left as `.partiel`: never taken for a whole one.
  for (const stale of readdirSync(dir))
    if (stale.endsWith('.partiel')) rmSync(join(dir, stale), { force: true });
  try {
    db.prepare('VACUUM INTO ?').run(partial);
  } catch (e) {
    rmSync(partial, { force: true });
    if (isDiskFull(e))
      throw new AppError(
        'insufficient_storage',
        `Mise à jour du schéma (${from} → ${to}) refusée : plus de place pour la copie de sécurité dans ${dir}. Libérez de l'espace puis redémarrez ; la base n'a pas été modifiée.`,
      );
    throw e;
  }
  renameSync(partial, target);
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}
