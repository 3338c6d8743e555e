/**
 * Access to the PostgreSQL server of the machine for integration suites: one fresh database per
 * store, dropped afterwards, so parallel test files never collide. Unreachable server: the suite
 * skips with a printed reason, except under CI=true where it must fail.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL =
  process.env.GUICHET_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Null when the server answers, else the reason it does not. */
export async function unreachableReason(): Promise<string | null> {
  const c = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (e) {
    return `PostgreSQL injoignable (${ADMIN_URL}) : ${(e as Error).message}`;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates an empty database and returns its URL. */
export async function createDatabase(): Promise<{ name: string; url: string }> {
  const name = `guichet_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return { name, url: u.toString() };
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** A URL whose connections work in `schema` first (search_path), the database's `public` second. */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema},public`);
  return u.toString();
}

/**
 * One database per test file, one schema per store: cheaper than a database per store. The optional
 * extensions live in `public` (installed once), as an administrator would set them up.
 */
export async function schemaFactory(): Promise<{
  next(): Promise<string>;
  dropCurrent(): Promise<void>;
  dispose(): Promise<void>;
}> {
  const db = await createDatabase();
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public').catch(() => undefined);
  await c.query('CREATE EXTENSION IF NOT EXISTS vector SCHEMA public').catch(() => undefined);
  let current = '';
  return {
    async next() {
      current = `s_${randomBytes(6).toString('hex')}`;
      await c.query(`CREATE SCHEMA ${current}`);
      return withSearchPath(db.url, current);
    },
    async dropCurrent() {
      if (current) await c.query(`DROP SCHEMA ${current} CASCADE`);
      current = '';
    },
    async dispose() {
      await c.end();
      await dropDatabase(db.name);
    },
  };
}
