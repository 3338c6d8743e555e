import { AppError } from '../../shared/errors.js';
import type { Client, StoreLogger } from './db.js';
import { LOCK_KEY } from './locks.js';
import { MIGRATIONS, OPTIONAL_EXTENSIONS } from './migrations.js';

/** Name of the session advisory lock taken while a replica sets the schema up. */
export const MIGRATION_LOCK = 'guichet.migrate';

export interface SchemaState {
  version: number;
  extensions: Set<string>;
}

/**
 * Brings the schema up to date. Runs under `pg_advisory_lock`, so replicas starting together
 * take turns: the first one migrates, the others then find nothing left to do.
 */
export async function migrate(
  c: Client,
  log: StoreLogger,
  beforeMigrate?: (from: number, to: number) => Promise<void>,
): Promise<SchemaState> {
  await c.query(`SELECT pg_advisory_lock(${LOCK_KEY})`, [MIGRATION_LOCK]);
  try {
    await refuseForeignSchema(c);
    const extensions = await ensureExtensions(c, log);
    const applied = new Set(
      (await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    const latest = Math.max(0, ...applied);
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    if (latest > known) {
      throw new AppError(
        'store_corrupted',
        `La base PostgreSQL a été créée par une version plus récente de Guichet (schéma ${latest} > ${known}). Mettez Guichet à jour.`,
      );
    }
    if (latest > 0 && beforeMigrate && MIGRATIONS.some((m) => !applied.has(m.version)))
      await beforeMigrate(latest, known);
    const ctx = { hasExtension: (name: string) => extensions.has(name) };
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await c.query('BEGIN');
      try {
        if (typeof m.up === 'string') await c.query(m.up);
        else await m.up(c, ctx);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        if (e instanceof AppError) throw e;
        const at = Math.max(0, ...[...applied].filter((v) => v < m.version));
        throw new AppError(
          'store_corrupted',
          `La mise à jour ${m.version} (${m.name}) du schéma PostgreSQL a échoué (${(e as Error).message}) : elle a été annulée, la base est restée au schéma ${at}. La copie d'avant la mise à jour (si backup.before_migration est actif) est dans le dossier sauvegardes/ du dossier de données ; signalez l'erreur, ou revenez à la version précédente de Guichet.`,
          { cause: e },
        );
      }
      applied.add(m.version);
    }
    return { version: Math.max(latest, known), extensions };
  } finally {
    await c.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [MIGRATION_LOCK]).catch(() => undefined);
  }
}

/** A schema with tables but no migration history belongs to another application: never touch it. */
async function refuseForeignSchema(c: Client): Promise<void> {
  const known = await c.query(
    `SELECT to_regclass(quote_ident(current_schema()) || '.schema_migrations') AS t`,
  );
  if (known.rows[0]?.t) return;
  const { rows } = await c.query<{ relname: string }>(
    `SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'f')
     ORDER BY relname LIMIT 3`,
  );
  if (rows.length > 0) {
    throw new AppError(
      'store_corrupted',
      `Le schéma PostgreSQL contient des tables inconnues sans historique de migrations (${rows.map((r) => r.relname).join(', ')}…) : ` +
        `ce n'est pas une base Guichet. Rien n'a été modifié.`,
    );
  }
  await c.query(`CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
}

/** Installs the optional extensions when possible; returns those present. Absent ones are logged. */
async function ensureExtensions(c: Client, log: StoreLogger): Promise<Set<string>> {
  const { rows } = await c.query<{ extname: string }>(
    'SELECT extname FROM pg_extension WHERE extname = ANY($1)',
    [[...OPTIONAL_EXTENSIONS]],
  );
  const present = new Set(rows.map((r) => r.extname));
  for (const name of OPTIONAL_EXTENSIONS) {
    if (present.has(name)) continue;
    try {
      await c.query(`CREATE EXTENSION IF NOT EXISTS ${name}`);
      present.add(name);
    } catch (e) {
      if (name === 'unaccent') {
        log.warn(
          `Extension PostgreSQL unaccent indisponible (${(e as Error).message}) : ` +
            `la configuration guichet_french ne retirera pas les accents.`,
        );
      }
    }
  }
  return present;
}
