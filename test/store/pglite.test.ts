/**
 * The same Store contract through the `pg` adapter, against PGlite (a real Postgres engine in WASM)
 * with pgvector, served over the wire protocol on a loopback port: exercises the pgvector SQL that
 * this machine's PostgreSQL (no pgvector) cannot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { storeContract } from './contract.js';
import { storeAccountsContract } from './contract-accounts.js';

let db: PGlite;
let server: PGLiteSocketServer;
let url = '';
const quiet = { warn: () => undefined };

/** Empties the database once the closed store's connection is gone (the server serves one at a time). */
async function reset(): Promise<void> {
  for (let i = 0; i < 200 && server.getStats().activeConnections > 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
}

beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector } });
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  url = `postgres://postgres@${server.getServerConn()}/postgres`;
});

afterAll(async () => {
  await server?.stop();
  await db?.close();
});

storeContract(
  'pglite',
  () => openPostgresStore({ url, maxConnections: 1, logger: quiet }),
  // Each test starts from an empty schema (the extension goes with it and comes back at open).
  reset,
);
storeAccountsContract('pglite', () => openPostgresStore({ url, maxConnections: 1, logger: quiet }), reset);

describe('pglite specifics', () => {
  it('has pgvector, so the contract above ran the dense search on HNSW', async () => {
    const store = await openPostgresStore({ url, maxConnections: 1, logger: quiet });
    try {
      expect(store.info.vectors).toBe(true);
      await store.collections.create({ id: 'c', orgId: 'o', name: 'C', visibility: 'private' });
      await expect(
        store.search.dense({ vector: new Float32Array([1, 0]), collectionIds: ['c'], limit: 1 }),
      ).resolves.toEqual([]);
      const { rows } = await db.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename = 'chunks'`,
      );
      expect(rows.map((r) => r.indexname)).toContain('chunks_text_fts');
    } finally {
      await store.close();
      await reset();
    }
  });
});
