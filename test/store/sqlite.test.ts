import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE_FLUSH_MS } from '../../src/store/sqlite/accounts-usage.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { storeContract } from './contract.js';
import { storeAccountsContract } from './contract-accounts.js';
import { plainDocument } from './plain-document.js';
import { usageRow } from '../helpers/usage.js';
import Database from 'better-sqlite3';
import { createCollections, finalState, loadCorpus, QUERIES } from './bm25-corpus.js';
import { queryTerms } from '../../src/knowledge/search/query.js';
import type { SqliteSearch } from '../../src/store/sqlite/search.js';

let dir = '';
storeContract(
  'sqlite',
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'guichet-store-'));
    return openSqliteStore(dir);
  },
  async () => rmSync(dir, { recursive: true, force: true }),
);
storeAccountsContract(
  'sqlite',
  async () => openSqliteStore((dir = mkdtempSync(join(tmpdir(), 'guichet-store-')))),
  async () => rmSync(dir, { recursive: true, force: true }),
  async () => openSqliteStore(dir),
);

describe('sqlite BM25 per search scope', () => {
  it("scores like FTS5's bm25(), bit for bit, when the scope is the whole index, also after migration 17 filled an old base", async () => {
    const d = mkdtempSync(join(tmpdir(), 'guichet-scope-'));
    let store = openSqliteStore(d);
    await createCollections(store);
    await store.documents.putMany(finalState(await loadCorpus(40, 'sp')));
    await store.close();
    // The base as it was before migration 17 (no lengths, no per-collection statistics).
    const raw = new Database(join(d, 'guichet.sqlite'));
    raw.exec(`DROP TRIGGER chunks_scope_stats_insert; DROP TRIGGER chunks_scope_stats_delete;
      DROP TABLE lexical_collection_stats; ALTER TABLE chunks DROP COLUMN lexical_length;
      DELETE FROM schema_migrations WHERE version = 17;`);
    raw.close();
    store = openSqliteStore(d);
    const fts = new Database(join(d, 'guichet.sqlite'), { readonly: true });
    const { chunks, tokens } = fts
      .prepare('SELECT COUNT(*) AS chunks, SUM(lexical_length) AS tokens FROM chunks')
      .get() as { chunks: number; tokens: number };
    try {
      let compared = 0;
      for (const question of QUERIES) {
        const terms = queryTerms(question);
        const q = {
          terms,
          collectionIds: ['sp', 'local'],
          limit: 10_000,
          weights: { title: 4, headings: 2, body: 1 },
        };
        // The JS scoring, used when the scope is not the whole index, against FTS5 on the whole index.
        const hits = (store.search as unknown as SqliteSearch).lexicalFromInstances(
          q,
          chunks,
          tokens / chunks,
        );
        expect(await store.search.lexical(q)).toEqual(hits.slice(0, 10_000));
        const match = [...new Set(terms)].map((t) => `"${t}"`).join(' OR ');
        const expected = fts
          .prepare(
            `SELECT rowid, -bm25(chunks_fts, 4, 2, 1) AS score FROM chunks_fts WHERE chunks_fts MATCH ?`,
          )
          .all(match) as { rowid: number; score: number }[];
        const got = new Map(hits.map((h) => [Number(h.chunkId), h.score]));
        expect(got.size, question).toBe(expected.length);
        for (const e of expected) expect(got.get(e.rowid)).toBe(e.score);
        compared += expected.length;
      }
      expect(compared).toBeGreaterThan(200);
    } finally {
      fts.close();
      await store.close();
      rmSync(d, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('sqlite data folder problems', () => {
  it('reports a corrupted database and leaves the file as it was', () => {
    const d = mkdtempSync(join(tmpdir(), 'guichet-bad-'));
    const garbage = 'ceci n’est pas une base SQLite '.repeat(200);
    writeFileSync(join(d, 'guichet.sqlite'), garbage);
    expect(() => openSqliteStore(d)).toThrow(/illisible ou endommagée/);
    expect(readFileSync(join(d, 'guichet.sqlite'), 'utf8')).toBe(garbage);
  });

  it('refuses a data folder that is a file', () => {
    const d = mkdtempSync(join(tmpdir(), 'guichet-bad-'));
    const f = join(d, 'file');
    writeFileSync(f, 'x');
    expect(() => openSqliteStore(f)).toThrow(/n'est pas un dossier/);
  });

  it('refuses a foreign SQLite database', async () => {
    const d = mkdtempSync(join(tmpdir(), 'guichet-bad-'));
    mkdirSync(d, { recursive: true });
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(d, 'guichet.sqlite'));
    db.exec('CREATE TABLE clients (id INTEGER)');
    db.close();
    expect(() => openSqliteStore(d)).toThrow(/pas une base Guichet/);
  });

  it('reopens an existing store without re-running migrations', async () => {
    const d = mkdtempSync(join(tmpdir(), 'guichet-ok-'));
    const a = openSqliteStore(d);
    await a.meta.set('x', '1');
    await a.close();
    const b = openSqliteStore(d);
    expect(await b.meta.get('x')).toBe('1');
    expect(b.info.schemaVersion).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
    await b.close();
  });
});

describe('sqlite in-memory lexical copy', () => {
  it('sees at once what another process wrote to the same data folder', async () => {
    const d = mkdtempSync(join(tmpdir(), 'guichet-memory-'));
    const server = openSqliteStore(d);
    const other = openSqliteStore(d);
    try {
      await server.collections.create({ id: 'c', orgId: 'o', name: 'C', visibility: 'private' });
      const put = (store: typeof server, id: string, words: string) =>
        store.documents.put(plainDocument('c', id, [words]));
      const find = async (term: string) =>
        (
          await server.search.lexical({
            terms: [term],
            collectionIds: ['c'],
            limit: 5,
            weights: { title: 4, headings: 2, body: 1 },
          })
        ).length;
      await put(server, 'a', 'cantin scolair');
      expect(await server.search.warmLexical()).toBe(true);
      expect(await find('cantin')).toBe(1);
      // `guichet documents add` run while the server is up: another connection writes.
      await put(other, 'b', 'cantin menu');
      expect(await find('menu')).toBe(1);
      expect(await find('cantin')).toBe(2);
      await other.documents.delete((await other.documents.getByExternalId('c', 'a'))!.id);
      expect(await find('scolair')).toBe(0);
      expect(await server.search.warmLexical()).toBe(true);
      expect(server.search.lexicalCache().chunks).toBe(1);
      expect(server.search.lexicalCache()).toMatchObject({ loads: 1, merges: 1 });
      expect(await find('cantin')).toBe(1);
      // A copy older than what the change log keeps is reloaded in full, and is right.
      await put(other, 'c', 'cantin tarif');
      other.db.prepare('DELETE FROM lexical_log').run();
      expect(await find('tarif')).toBe(1);
      expect(await server.search.warmLexical()).toBe(true);
      expect(server.search.lexicalCache()).toMatchObject({ loads: 2, merges: 1, chunks: 2 });
      expect(await find('tarif')).toBe(1);
      expect(await find('cantin')).toBe(2);
    } finally {
      await other.close();
      await server.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('sqlite usage rows written in batches', () => {
  it('reaches the file within USAGE_FLUSH_MS, is read at once through the store, and is written on close', async () => {
    const d = mkdtempSync(join(tmpdir(), 'guichet-usage-'));
    const store = openSqliteStore(d);
    const onFile = () => (store.db.prepare('SELECT COUNT(*) AS n FROM usage').get() as { n: number }).n;
    for (let i = 0; i < 3; i++) await store.accounts.usage.record(usageRow(i));
    expect(onFile()).toBe(0); // buffered
    expect((await store.accounts.usage.totals({ orgId: 'default' })).requests).toBe(3);
    await store.accounts.usage.record(usageRow(3));
    await new Promise((r) => setTimeout(r, USAGE_FLUSH_MS + 100));
    expect(onFile()).toBe(4);
    await store.accounts.usage.record(usageRow(4));
    await store.close();
    const again = openSqliteStore(d);
    expect((await again.accounts.usage.list({ orgId: 'default' })).length).toBe(5);
    await again.close();
    rmSync(d, { recursive: true, force: true });
  });

  it('an erasure also anonymises the rows still in the buffer', async () => {
    const d = mkdtempSync(join(tmpdir(), 'guichet-usage-'));
    const store = openSqliteStore(d);
    await store.accounts.orgs.create({ id: 'default', name: 'Défaut' });
    const user = await store.accounts.users.create({
      email: 'a@b.fr',
      name: 'A',
      orgId: 'default',
      role: 'agent',
    });
    await store.accounts.usage.record(usageRow(0, user.id));
    expect((await store.personalData.collect(user.id)).usage).toHaveLength(1);
    await store.accounts.usage.record(usageRow(1, user.id));
    expect((await store.personalData.erase(user.id)).usageAnonymised).toBe(2);
    await store.close();
    rmSync(d, { recursive: true, force: true });
  });
});
