/**
 * SQLite side of `guichet backup` / `guichet restore`: an online, consistent copy through SQLite's
 * backup API (better-sqlite3's `backup()`: other connections, `guichet serve` included, keep reading
 * and writing meanwhile), from which the built-in corpus is then removed and the file vacuumed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../shared/errors.js';
import { COUNTED_TABLES } from '../backup-tables.js';
import { openSqliteStore } from './index.js';
import { schemaVersion } from './open.js';

export const SQLITE_FILE = 'guichet.sqlite';

export function sqliteDatabaseFile(dataDir: string): string {
  return join(dataDir, SQLITE_FILE);
}

/** The schema version recorded in a database file. */
export function sqliteSchemaVersion(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return schemaVersion(db);
  } finally {
    db.close();
  }
}

/** Rows per counted table (a table that an older schema lacks counts 0). */
export function sqliteCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const present = new Set(
      (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    return Object.fromEntries(
      COUNTED_TABLES.map((t) => [
        t,
        present.has(t) ? (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n : 0,
      ]),
    );
  } finally {
    db.close();
  }
}

/**
 * Copies the live database of `dataDir` into `workDir/guichet.sqlite` (online backup), removes the
 * documents of `exclude` (re-indexed from their source) and vacuums the copy.
 */
export async function snapshotSqlite(dataDir: string, workDir: string, exclude: string[]): Promise<string> {
  const source = sqliteDatabaseFile(dataDir);
  if (!existsSync(source))
    throw new AppError('not_found', `Aucune base Guichet dans ${dataDir} : rien à sauvegarder.`);
  const copy = sqliteDatabaseFile(workDir);
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(copy);
  } finally {
    db.close();
  }
  const store = openSqliteStore(workDir);
  try {
    for (const id of exclude)
      if (await store.collections.get(id)) await store.documents.deleteMissing(id, new Set());
  } finally {
    await store.close();
  }
  const vacuum = new Database(copy, { fileMustExist: true });
  try {
    vacuum.pragma('journal_mode = DELETE');
    vacuum.exec('VACUUM');
  } finally {
    vacuum.close();
  }
  return copy;
}
