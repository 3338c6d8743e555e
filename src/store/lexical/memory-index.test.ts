import { describe, expect, it } from 'vitest';
import { LexicalCache, type LexicalSnapshotSource } from './lexical-cache.js';
import { MemoryIndexBuilder } from './memory-index.js';
import { postingsOf } from './bm25.js';

const W = { title: 4, headings: 2, body: 1 };

function build(version = '1', more?: (b: MemoryIndexBuilder) => void) {
  const b = new MemoryIndexBuilder();
  b.add(10, 'd1', 'sp', postingsOf({ title: 'passeport', headings: '', body: 'demand passeport mairi' }));
  b.add(11, 'd1', 'sp', postingsOf({ title: 'passeport', headings: 'delai', body: 'delai fabriqu' }));
  b.add(20, 'd2', 'local', postingsOf({ title: 'mairi horair', headings: '', body: 'mairi ouvert lund' }));
  b.add(30, 'd3', 'sp', postingsOf({ title: 'cart identit', headings: '', body: 'demand cart' }));
  for (let i = 0; i < 4; i++)
    b.add(40 + i, 'd4', 'sp', postingsOf({ title: '', headings: '', body: 'autr chos' }));
  more?.(b);
  return b.finish(version);
}

describe('in-memory lexical index', () => {
  it('scores with FTS5 BM25: idf, weighted frequency, length normalisation', () => {
    const index = build();
    // The whole index: N = 8 chunks, 25 tokens (avgdl 3.125).
    let avgdl = 25 / 8;
    let idf = (n: number) => Math.log((8 - n + 0.5) / (n + 0.5));
    const score = (f: number, len: number, idf: number) =>
      idf * ((f * 2.2) / (f + 1.2 * (0.25 + (0.75 * len) / avgdl)));
    const all = index.search({ terms: ['passeport'], collectionIds: ['sp', 'local'], limit: 10, weights: W });
    expect(all.map((h) => h.chunkId)).toEqual(['10', '11']);
    expect(all[0].score).toBeCloseTo(score(4 + 1, 4, idf(2)), 14);
    // The statistics are the scope's: "sp" alone has 7 chunks and 20 tokens.
    const hits = index.search({ terms: ['passeport'], collectionIds: ['sp'], limit: 10, weights: W });
    [avgdl, idf] = [20 / 7, (n: number) => Math.log((7 - n + 0.5) / (n + 0.5))];
    expect(hits.map((h) => h.chunkId)).toEqual(['10', '11']);
    expect(hits[0].score).toBeCloseTo(score(4 + 1, 4, idf(2)), 14);
    expect(hits[1].score).toBeCloseTo(score(4, 4, idf(2)), 14);
    expect(hits[0].score).not.toBeCloseTo(all[0].score, 6);
    [avgdl, idf] = [25 / 8, (n: number) => Math.log((8 - n + 0.5) / (n + 0.5))];
    const demand = index.search({
      terms: ['demand', 'mairi'],
      collectionIds: ['sp', 'local'],
      limit: 10,
      weights: W,
    });
    expect(demand.map((h) => h.chunkId)).toEqual(['10', '20', '30']);
    expect(demand[0].score).toBeCloseTo(score(1, 4, idf(2)) + score(1, 4, idf(2)), 14);
    expect(demand[1].score).toBeCloseTo(score(4 + 1, 5, idf(2)), 14);
    expect(demand[2].score).toBeCloseTo(score(1, 4, idf(2)), 14);
    expect(index.df('mairi')).toBe(2);
    expect(index.df('absent')).toBe(0);
  });

  it('keeps answering as before a merge that adds new terms (the term map is shared)', () => {
    const index = build();
    const q = { terms: ['zorglub', 'passeport'], collectionIds: ['sp', 'local'], limit: 10, weights: W };
    const before = index.search(q);
    const zorglub = (b: MemoryIndexBuilder) =>
      b.add(50, 'd5', 'local', postingsOf({ title: 'zorglub', headings: '', body: 'zorglub nouveau' }));
    const added = () => {
      const b = new MemoryIndexBuilder();
      zorglub(b);
      return b;
    };
    const merged = index.merge(new Set(), added(), '2');
    expect(merged.df('zorglub')).toBe(1);
    expect(merged.search(q).map((h) => h.chunkId)).toEqual(['50', '10', '11']);
    // The older copy (still serving searches during the merge) does not see the new terms.
    expect(index.df('zorglub')).toBe(0);
    expect(index.df('nouveau')).toBe(0);
    expect(index.search(q)).toEqual(before);
    expect(index.scopeTermStats(['zorglub', 'passeport'], ['sp', 'local']).df.get('zorglub')).toBe(0);
    // A second merge from the same copy (the first one abandoned) ranks like a full build.
    const again = index.merge(new Set(), added(), '3');
    expect(again.search(q)).toEqual(build('3', zorglub).search(q));
    expect(again.df('nouveau')).toBe(1);
  });

  it('filters by collection, cuts at the limit, breaks ties by rowid and forgets the previous search', () => {
    const index = build();
    const q = { terms: ['passeport'], collectionIds: ['local'], limit: 10, weights: W };
    expect(index.search(q)).toEqual([]);
    expect(index.search({ ...q, collectionIds: ['nowhere'] })).toEqual([]);
    expect(index.search({ ...q, terms: [] })).toEqual([]);
    expect(index.search({ ...q, limit: 0 })).toEqual([]);
    const all = index.search({ terms: ['demand'], collectionIds: ['sp'], limit: 1, weights: W });
    expect(all).toHaveLength(1);
    const again = index.search({ terms: ['demand'], collectionIds: ['sp'], limit: 5, weights: W });
    // Chunks 10 and 30 hold "demand" once in 4 tokens: a tie, broken by rowid.
    expect(again.map((h) => h.chunkId)).toEqual(['10', '30']);
    expect(again[0].score).toBe(again[1].score);
    expect(again[0].score).toBe(all[0].score);
    const tie = index.search({
      terms: ['passeport'],
      collectionIds: ['sp'],
      limit: 5,
      weights: { title: 1, headings: 1, body: 0 },
    });
    expect(tie.map((h) => h.chunkId)).toEqual(['10', '11']);
    expect(tie[0].score).toBe(tie[1].score);
  });

  it('is used only while its version is the store’s, and rebuilt when the store changes', async () => {
    let version = 1;
    let loads = 0;
    let changeDuringLoad = false;
    const source: LexicalSnapshotSource = {
      version: async () => String(version),
      load: async (b) => {
        loads++;
        b.add(1, 'd', 'sp', postingsOf({ title: 'a', headings: '', body: `v${version}` }));
        if (changeDuringLoad) {
          changeDuringLoad = false;
          version++;
          return null;
        }
        return String(version);
      },
    };
    const cache = new LexicalCache(source);
    expect(await cache.fresh()).toBeNull();
    expect(loads).toBe(0);
    expect(await cache.warm()).toBe(true);
    expect((await cache.fresh())?.df('v1')).toBe(1);
    expect(loads).toBe(1);
    version = 2;
    expect(await cache.fresh()).toBeNull();
    expect(await cache.warm()).toBe(true);
    expect((await cache.fresh())?.df('v2')).toBe(1);
    changeDuringLoad = true;
    version = 3;
    expect(await cache.fresh()).toBeNull();
    expect(await cache.warm()).toBe(false);
    // Retried on its own once the store stood still, without waiting for a search.
    for (let i = 0; i < 40 && !cache.describe().ready; i++) await new Promise((r) => setTimeout(r, 50));
    expect(cache.describe().ready).toBe(true);
    expect(loads).toBe(4);
    expect(await cache.warm()).toBe(true);
    expect((await cache.fresh())?.df('v4')).toBe(1);
    cache.close();
    expect(await cache.fresh()).toBeNull();
  });

  it('waits for the store to stand still before rebuilding a stale copy (an ingestion is running)', async () => {
    let version = 1;
    let loads = 0;
    const cache = new LexicalCache({
      version: async () => String(version),
      load: async (b) => {
        loads++;
        b.add(1, 'd', 'sp', postingsOf({ title: 'a', headings: '', body: 'b' }));
        return String(version);
      },
    });
    expect(await cache.warm()).toBe(true);
    for (let i = 0; i < 10; i++) {
      version++; // a write every 100 ms: the copy would be stale as soon as built
      expect(await cache.fresh()).toBeNull();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(loads).toBe(1);
    expect(cache.describe().ready).toBe(false);
    for (let i = 0; i < 40 && !cache.describe().ready; i++) await new Promise((r) => setTimeout(r, 50));
    expect(loads).toBe(2);
    expect((await cache.fresh())?.version).toBe(String(version));
    cache.close();
  });

  it('merges removals and additions into the index a full build of the same chunks would give (also in slices)', async () => {
    // A seeded generator: the same chunks on every run.
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const words = Array.from({ length: 60 }, (_, i) => `mot${i}`);
    const text = (n: number) => Array.from({ length: n }, () => words[rnd(words.length)]).join(' ');
    type Chunk = { rowid: number; doc: string; coll: string; title: string; headings: string; body: string };
    const chunk = (rowid: number): Chunk => ({
      rowid,
      doc: `d${rowid % 17}`,
      coll: ['sp', 'local', 'autre'][rnd(3)],
      title: text(rnd(4)),
      headings: text(rnd(3)),
      body: text(1 + rnd(40)),
    });
    const fill = (b: MemoryIndexBuilder, chunks: Chunk[]) => {
      for (const c of chunks) b.add(c.rowid, c.doc, c.coll, postingsOf(c));
      return b;
    };
    let current = Array.from({ length: 300 }, (_, i) => chunk(i + 1));
    let index = fill(new MemoryIndexBuilder(), current).finish('1');
    let next = 301;
    for (let round = 2; round < 8; round++) {
      const removed = new Set(current.filter(() => rnd(5) === 0).map((c) => c.rowid));
      removed.add(999_999); // unknown to the index: ignored
      const replaced = current
        .filter((c) => !removed.has(c.rowid) && rnd(20) === 0)
        .map((c) => chunk(c.rowid));
      const fresh = Array.from({ length: rnd(60) }, () => chunk(next++));
      if (round === 5) fresh.push({ ...chunk(next++), coll: 'nouvelle' }); // a collection first seen here
      const addedChunks = [...replaced, ...fresh];
      const replacedIds = new Set(replaced.map((c) => c.rowid));
      current = [
        ...current.filter((c) => !removed.has(c.rowid) && !replacedIds.has(c.rowid)),
        ...addedChunks,
      ];
      const builder = fill(new MemoryIndexBuilder(), addedChunks);
      if (round % 2) index = index.merge(removed, builder, String(round));
      else {
        // In slices, as the server merges: the event loop runs in between, same result.
        let served = 0;
        const tick = setImmediate(() => served++);
        index = await index.mergeAsync(removed, builder, String(round));
        clearImmediate(tick);
        expect(served).toBe(1);
      }
      const full = fill(new MemoryIndexBuilder(), current);
      const scratch = round % 3 ? full.finish(String(round)) : await full.finishAsync(String(round));
      expect(index.version).toBe(String(round));
      expect(index.chunks).toBe(scratch.chunks);
      expect(index.postings).toBe(scratch.postings);
      for (const w of words.slice(0, 10)) expect(index.df(w)).toBe(scratch.df(w));
      for (let q = 0; q < 30; q++) {
        const query = {
          terms: Array.from({ length: 1 + rnd(4) }, () => words[rnd(words.length)]),
          collectionIds: [['sp'], ['sp', 'local'], ['local', 'autre', 'nouvelle'], ['nouvelle']][rnd(4)],
          limit: 1 + rnd(15),
          weights: W,
        };
        const got = index.search(query);
        const want = scratch.search(query);
        expect(got.map((h) => h.chunkId)).toEqual(want.map((h) => h.chunkId));
        got.forEach((h, i) => expect(h.score).toBe(want[i].score));
        expect(got.map((h) => h.documentId)).toEqual(want.map((h) => h.documentId));
      }
    }
  });
});

describe('collection numbers', () => {
  it('past 65,536 collections, a search scoped to one collection returns its chunks only (full build and merge)', () => {
    const n = 70_000;
    const b = new MemoryIndexBuilder();
    for (let i = 0; i < n; i++)
      b.add(i + 1, `d${i}`, `c${i}`, postingsOf({ title: 'mairi', headings: '', body: 'horair' }));
    const index = b.finish('1');
    for (const i of [0, 65_535, 65_536, 65_537, n - 1]) {
      const hits = index.search({ terms: ['mairi'], collectionIds: [`c${i}`], limit: 10, weights: W });
      expect(
        hits.map((h) => h.chunkId),
        `c${i}`,
      ).toEqual([String(i + 1)]);
    }
    // Collections added by a merge are numbered past 65,536 too.
    const added = new MemoryIndexBuilder();
    added.add(n + 1, 'dn', `c${n}`, postingsOf({ title: 'mairi', headings: '', body: 'horair' }));
    const merged = index.merge(new Set(), added, '2');
    for (const i of [0, 65_536, n]) {
      const hits = merged.search({ terms: ['mairi'], collectionIds: [`c${i}`], limit: 10, weights: W });
      expect(
        hits.map((h) => h.chunkId),
        `c${i}`,
      ).toEqual([String(i + 1)]);
    }
  });
});
