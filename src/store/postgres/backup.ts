/**
 * PostgreSQL side of `guichet backup` / `guichet restore`, through the server's own tools:
 * `pg_dump --format=custom` of the store's schema, taken in an exported snapshot so that the row
 * counts of the manifest are those of the dump, and `pg_restore` into an empty schema.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { AppError } from '../../shared/errors.js';
import { COUNTED_TABLES } from '../backup-tables.js';
import { redactUrl } from './db.js';

function requireTool(tool: 'pg_dump' | 'pg_restore'): void {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new AppError(
      'service_unavailable',
      `${tool} est introuvable : installez le paquet Debian postgresql-client (apt-get install postgresql-client), de la même version majeure que le serveur.`,
    );
}

function output(tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(
            new AppError(
              'service_unavailable',
              `${tool} a échoué (code ${code}) : ${err.trim().split('\n').pop() ?? ''}`,
            ),
          ),
    );
  });
}

function run(tool: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new AppError(
              'service_unavailable',
              `${tool} a échoué (code ${code}) : ${err.trim().split('\n').pop() ?? ''}`,
            ),
          ),
    );
  });
}

async function counts(c: pg.ClientBase): Promise<Record<string, number>> {
  const present = new Set(
    (
      await c.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
      )
    ).rows.map((r) => r.table_name),
  );
  const out: Record<string, number> = {};
  for (const t of COUNTED_TABLES)
    out[t] = present.has(t)
      ? Number((await c.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${t}`)).rows[0]!.n)
      : 0;
  return out;
}

export interface PostgresDump {
  schema: string;
  /** Extensions of the source database (outside the schema's dump: created again on restore). */
  extensions: string[];
  schemaVersion: number;
  counts: Record<string, number>;
}

/** Dumps the store's schema into `file`; counts are read in the snapshot the dump uses. */
export async function dumpPostgres(url: string, file: string): Promise<PostgresDump> {
  requireTool('pg_dump');
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
  } catch (e) {
    throw new AppError(
      'service_unavailable',
      `PostgreSQL injoignable (${redactUrl(url)}) : ${(e as Error).message}`,
    );
  }
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await c.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    const schema = (await c.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
    const version = Number(
      (await c.query<{ v: string | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]!.v ??
        0,
    );
    const rows = await counts(c);
    const extensions = (
      await c.query<{ extname: string }>(
        `SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname`,
      )
    ).rows.map((r) => r.extname);
    await run('pg_dump', [
      '--format=custom',
      '--no-owner',
      '--no-privileges',
      `--snapshot=${snapshot}`,
      `--schema=${schema}`,
      `--file=${file}`,
      `--dbname=${url}`,
    ]);
    await c.query('COMMIT');
    return { schema, extensions, schemaVersion: version, counts: rows };
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Rows per counted table of a PostgreSQL store (for the comparison after a restore). */
export async function postgresCounts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await counts(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Restores a dump into the store's (empty, or emptied with `force`) schema. */
export async function restorePostgres(
  url: string,
  file: string,
  o: { force: boolean; schema: string; extensions: string[] },
): Promise<void> {
  requireTool('pg_restore');
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
  } catch (e) {
    throw new AppError(
      'service_unavailable',
      `PostgreSQL injoignable (${redactUrl(url)}) : ${(e as Error).message}`,
    );
  }
  try {
    const target =
      (await c.query<{ s: string | null }>('SELECT current_schema() AS s')).rows[0]!.s ?? o.schema;
    if (target !== o.schema)
      throw new AppError(
        'invalid_request',
        `La sauvegarde vient du schéma « ${o.schema} » et la base cible utilise « ${target} » : restaurez dans une base dont le search_path désigne « ${o.schema} ».`,
      );
    const tables = Number(
      (
        await c.query<{ n: string }>(
          `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = $1`,
          [o.schema],
        )
      ).rows[0]!.n,
    );
    if (tables > 0 && !o.force)
      throw new AppError(
        'conflict',
        `La base cible n'est pas vide (${tables} tables dans le schéma « ${o.schema} ») : restaurez dans une base vide, ou ajoutez --force pour la remplacer.`,
      );
    const ident = pg.escapeIdentifier(o.schema);
    if (tables > 0) await c.query(`DROP SCHEMA ${ident} CASCADE`);
    // The dump creates its schema itself, except `public` (kept: see the restore list below).
    if (o.schema === 'public') await c.query(`CREATE SCHEMA IF NOT EXISTS public`);
    else await c.query(`DROP SCHEMA IF EXISTS ${ident}`);
    // Extensions (pgvector, unaccent) live in `public`, outside the schema's dump.
    for (const ext of o.extensions) {
      try {
        await c.query(`CREATE EXTENSION IF NOT EXISTS ${pg.escapeIdentifier(ext)} SCHEMA public`);
      } catch (e) {
        throw new AppError(
          'service_unavailable',
          `L'extension PostgreSQL « ${ext} » de la base sauvegardée manque sur le serveur cible (${(e as Error).message}) : installez-la (pgvector : paquet Debian postgresql-15-pgvector), puis recommencez.`,
        );
      }
    }
  } finally {
    await c.end().catch(() => undefined);
  }
  // The dump of `public` recreates the schema, which exists already (with pgvector in it): the
  // restore runs from the dump's table of contents minus that one entry.
  const toc = await output('pg_restore', ['--list', file]);
  const list = `${file}.liste`;
  writeFileSync(
    list,
    toc
      .split('\n')
      .filter((l) => !/^\d+; \d+ \d+ SCHEMA - public /.test(l))
      .join('\n'),
  );
  await run('pg_restore', [
    '--no-owner',
    '--no-privileges',
    '--exit-on-error',
    '--single-transaction',
    `--use-list=${list}`,
    `--dbname=${url}`,
    file,
  ]);
}
