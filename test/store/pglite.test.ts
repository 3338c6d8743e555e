/**
 * The same Store contract through the `pg` adapter, against PGlite (a real Postgres engine in WASM)
 * with pgvector, served over the wire protocol on a loopback port: exercises the pgvector SQL that
 * this machine's PostgreSQL (no pgvector) cannot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/spec.js';
import { migrateStore } from '../../src/usecases/migrate-store.js';
import { storeContract } from './contract.js';
import { storeAccountsContract } from './contract-accounts.js';
import { plainDocument } from './plain-document.js';

let db: PGlite;
let server: PGLiteSocketServer;
let url = '';
const quiet = { warn: () => undefined };

/** Waits until the server has let the previous connection go (it serves one at a time). */
async function idle(): Promise<void> {
  for (let i = 0; i < 200 && server.getStats().activeConnections > 0; i++)
    await new Promise((r) => setTimeout(r, 10));
}

/** Empties the database once the closed store's connection is gone (the server serves one at a time). */
async function reset(): Promise<void> {
  await idle();
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

  it('migrate-store copies the vectors too: same nearest passages from SQLite and from pgvector', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-migrate-vectors-'));
    const sqlite = openSqliteStore(dir);
    const key = async (store: Store, vector: number[]) => {
      const hits = await store.search.dense({
        vector: new Float32Array(vector),
        collectionIds: ['c'],
        limit: 3,
      });
      const chunks = await store.search.hydrate(hits.map((h) => h.chunkId));
      return chunks.map((c) => `${c.document.externalId}#${c.ordinal}`);
    };
    try {
      expect(sqlite.info.vectors).toBe(true);
      await sqlite.collections.create({ id: 'c', orgId: 'o', name: 'C', visibility: 'private' });
      const texts = ['cantine scolaire', 'horaires de la mairie', 'état civil', 'urbanisme'];
      for (const [i, text] of texts.entries()) {
        await sqlite.documents.put(plainDocument('c', `d${i}`, [`${text} 0`, `${text} 1`]));
      }
      const chunks = await sqlite.search.chunksWithoutVector(100);
      expect(chunks).toHaveLength(8);
      // Eight directions on a circle (3 dimensions): every query has one clear nearest order.
      await sqlite.search.putVectors(
        chunks.map((c, i) => ({
          chunkId: c.id,
          vector: new Float32Array([Math.cos((i * Math.PI) / 4), Math.sin((i * Math.PI) / 4), 0.1]),
        })),
      );
      const queries = [
        [1, 0.1, 0],
        [0.1, 1, 0.2],
        [-0.7, -0.6, 0],
      ];
      const expected = [];
      for (const q of queries) expected.push(await key(sqlite, q));
      await sqlite.close();

      await idle();
      const summary = await migrateStore({
        dataDir: dir,
        databaseUrl: url,
        postgres: { maxConnections: 1, logger: quiet },
      });
      expect(summary.vectorsSkipped).toBe(0);
      expect(summary.copied.vectors).toBe(8);
      await idle();
      const target = await openPostgresStore({ url, maxConnections: 1, logger: quiet });
      try {
        expect(target.info.vectors).toBe(true);
        for (const [i, q] of queries.entries()) expect(await key(target, q)).toEqual(expected[i]);
        expect(await target.search.chunksWithoutVector(10)).toEqual([]);
      } finally {
        await target.close();
      }
    } finally {
      if (sqlite.db.open) await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
      await reset();
    }
  });
});
