import pg from 'pg';
import { AppError } from '../../shared/errors.js';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;

/** Where warnings meant for the operator go (a pino logger fits). */
export interface StoreLogger {
  warn(message: string): void;
}

/** One consistent read-only snapshot (whatever other replicas write meanwhile). */
export const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** Runs `fn` in a transaction on one pooled connection: COMMIT on success, ROLLBACK on any error. */
export async function withTx<T>(pool: Pool, fn: (c: Client) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query(begin);
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/**
 * Serialises writers of the lexical index: every write transaction takes this row lock first, so
 * the statistics triggers always lock rows in the same order (no deadlock between replicas).
 */
export async function lockLexicalStats(c: Client): Promise<void> {
  await c.query('SELECT 1 FROM lexical_stats FOR UPDATE');
}

/** The URL without its password, for messages and `info.location`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(adresse illisible)';
  }
}

/** PostgreSQL SQLSTATE of an error thrown by `pg`, if any. */
export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Turns a missing-collection foreign key violation into the French error callers expect. */
export function mapForeignKey(e: unknown, collectionId: string): unknown {
  if (sqlState(e) === '23503')
    return new AppError('not_found', `Collection introuvable : ${collectionId}`, { cause: e });
  return e;
}
