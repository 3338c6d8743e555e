/**
 * The `Store` contract: every adapter must pass these same tests (SQLite, PostgreSQL, PGlite).
 */
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { DocumentInput, Store } from '../../src/store/spec.js';
import { analyze } from '../../src/knowledge/analyze/french.js';
import { loadCorpus, QUERIES, rankedHits } from './bm25-corpus.js';

function doc(
  collectionId: string,
  externalId: string,
  title: string,
  body: string[],
  hash = 'h1',
): DocumentInput {
  return {
    collectionId,
    externalId,
    title,
    description: `Description de ${title}`,
    url: `https://www.service-public.fr/particuliers/vosdroits/${externalId}`,
    kind: 'fiche',
    audience: 'particuliers',
    breadcrumb: ['Particuliers', 'Test'],
    date: '2020-03-04',
    markdown: body.join('\n\n'),
    hash,
    metadata: { subject: 'Test' },
    chunks: body.map((text, ordinal) => ({
      ordinal,
      path: ordinal === 0 ? [] : [`Partie ${ordinal}`],
      text,
      tokens: Math.ceil(text.length / 4),
      lexical: { title: analyze(title).join(' '), headings: '', body: analyze(text).join(' ') },
    })),
  };
}

const W = { title: 4, headings: 2, body: 1 };

export function storeContract(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.collections.create({
        id: 'sp',
        orgId: 'platform',
        name: 'SP',
        visibility: 'public',
        builtin: true,
      });
      await store.collections.create({ id: 'local', orgId: 'org-a', name: 'Mairie', visibility: 'private' });
    });
    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    it('lists collections by organisation, with shared ones on request', async () => {
      expect((await store.collections.list({ orgId: 'org-a' })).map((c) => c.id)).toEqual(['local']);
      expect(
        (await store.collections.list({ orgId: 'org-a', includeShared: true })).map((c) => c.id).sort(),
      ).toEqual(['local', 'sp']);
      const updated = await store.collections.update('local', { description: 'Documents de la mairie' });
      expect(updated.description).toBe('Documents de la mairie');
      await expect(
        store.collections.create({ id: 'local', orgId: 'x', name: 'x', visibility: 'private' }),
      ).rejects.toThrow();
    });

    it('stores documents with chunks and finds them lexically, within the collections asked', async () => {
      await store.documents.putMany([
        doc('sp', 'F1', 'Chèque énergie', [
          'Le chèque énergie aide à payer les factures.',
          'Montant du chèque selon les revenus.',
        ]),
        doc('sp', 'F2', 'Passeport', ['Demander un passeport en mairie.']),
      ]);
      await store.documents.put(
        doc('local', 'horaires.md', 'Horaires de la mairie', ['La mairie ouvre à 8h30 pour les passeports.']),
      );
      const hits = await store.search.lexical({
        terms: analyze('chèque energie'),
        collectionIds: ['sp'],
        limit: 10,
        weights: W,
      });
      expect(hits.length).toBe(2);
      const docs = await store.search.hydrate(hits.map((h) => h.chunkId));
      expect(docs.map((d) => d.document.externalId)).toEqual(['F1', 'F1']);
      expect(docs[0].document.url).toContain('F1');
      const pass = await store.search.lexical({
        terms: analyze('passeport'),
        collectionIds: ['sp'],
        limit: 10,
        weights: W,
      });
      expect(
        (await store.search.hydrate(pass.map((h) => h.chunkId))).map((d) => d.document.externalId),
      ).toEqual(['F2']);
      const both = await store.search.lexical({
        terms: analyze('passeport'),
        collectionIds: ['sp', 'local'],
        limit: 10,
        weights: W,
      });
      expect(both).toHaveLength(2);
      expect(await store.search.lexical({ terms: [], collectionIds: ['sp'], limit: 10, weights: W })).toEqual(
        [],
      );
      expect(
        await store.search.lexical({ terms: ['zzzz'], collectionIds: ['sp'], limit: 10, weights: W }),
      ).toEqual([]);
    });

    it('counts in how many chunks each term occurs', async () => {
      await store.documents.putMany([
        doc('sp', 'F1', 'Chèque énergie', ['Le chèque énergie.', 'Montant du chèque.']),
        doc('sp', 'F2', 'Passeport', ['Demander un passeport.']),
      ]);
      const [cheque, passeport] = analyze('chèque passeport');
      const stats = await store.search.termStats([cheque, passeport, 'inconnu']);
      expect(stats.chunks).toBe(3);
      expect(stats.df.get(cheque)).toBe(2);
      expect(stats.df.get(passeport)).toBe(1);
      expect(stats.df.get('inconnu')).toBe(0);
    });

    it('counts, within collections, in how many documents a term occurs', async () => {
      await store.documents.putMany([
        doc('sp', 'F1', 'Chèque énergie', ['Le chèque énergie.', 'Montant du chèque.']),
        doc('sp', 'F2', 'Passeport', ['Demander un passeport ou un chèque.']),
      ]);
      await store.documents.put(doc('local', 'a.md', 'Mairie', ['Chèque emploi à la mairie.']));
      const [cheque, passeport] = analyze('chèque passeport');
      const sp = await store.search.scopeStats([cheque, passeport], ['sp']);
      expect(sp.documents).toBe(2);
      expect(sp.df.get(cheque)).toBe(2);
      expect(sp.df.get(passeport)).toBe(1);
      const local = await store.search.scopeStats([cheque, passeport], ['local']);
      expect(local.documents).toBe(1);
      expect(local.df.get(cheque)).toBe(1);
      expect(local.df.get(passeport)).toBe(0);
    });

    it('ranks a title match above a body-only match', async () => {
      await store.documents.putMany([
        doc('sp', 'F10', 'Allocation logement', ['Conditions de ressources.']),
        doc('sp', 'F11', 'Impôts', ['Les revenus comprennent une allocation logement parfois.']),
      ]);
      const hits = await store.search.lexical({
        terms: analyze('allocation logement'),
        collectionIds: ['sp'],
        limit: 10,
        weights: W,
      });
      expect(hits[0].documentId).toBe((await store.documents.getByExternalId('sp', 'F10'))!.id);
      expect(hits[0].score).toBeGreaterThan(hits[1].score);
    });

    it('replaces a document atomically and keeps its id', async () => {
      const first = await store.documents.put(
        doc('sp', 'F1', 'Chèque énergie', ['Ancien texte sur le chèque.'], 'h1'),
      );
      const second = await store.documents.put(
        doc('sp', 'F1', 'Chèque énergie', ['Nouveau texte sur la prime.'], 'h2'),
      );
      expect(second.id).toBe(first.id);
      expect(second.hash).toBe('h2');
      expect(await store.documents.count('sp')).toBe(1);
      expect((await store.documents.hashes('sp')).get('F1')).toBe('h2');
      expect(
        await store.search.lexical({ terms: analyze('ancien'), collectionIds: ['sp'], limit: 5, weights: W }),
      ).toEqual([]);
      expect(
        await store.search.lexical({ terms: analyze('prime'), collectionIds: ['sp'], limit: 5, weights: W }),
      ).toHaveLength(1);
      expect((await store.documents.chunks(first.id)).map((c) => c.text)).toEqual([
        'Nouveau texte sur la prime.',
      ]);
      expect(await store.documents.markdown(first.id)).toBe('Nouveau texte sur la prime.');
      expect((await store.documents.findByHash('sp', 'h2'))?.id).toBe(first.id);
    });

    it('deletes documents from every search path', async () => {
      const d = await store.documents.put(doc('local', 'a.md', 'Cantine', ['Tarif de la cantine scolaire.']));
      await store.documents.put(doc('local', 'b.md', 'Piscine', ['Tarif de la piscine.']));
      if (store.info.vectors) {
        const chunks = await store.documents.chunks(d.id);
        await store.search.putVectors([{ chunkId: chunks[0].id, vector: new Float32Array([1, 0, 0, 0]) }]);
      }
      await store.documents.delete(d.id);
      expect(await store.documents.get(d.id)).toBeNull();
      expect(
        await store.search.lexical({
          terms: analyze('cantine'),
          collectionIds: ['local'],
          limit: 5,
          weights: W,
        }),
      ).toEqual([]);
      if (store.info.vectors) {
        const dense = await store.search.dense({
          vector: new Float32Array([1, 0, 0, 0]),
          collectionIds: ['local'],
          limit: 5,
        });
        expect(dense).toEqual([]);
      }
      expect(await store.documents.deleteMissing('local', new Set())).toBe(1);
      expect(await store.documents.count('local')).toBe(0);
    });

    it('finds nearest vectors within the collections asked', async () => {
      if (!store.info.vectors) {
        await expect(
          store.search.dense({ vector: new Float32Array([1, 0]), collectionIds: ['sp'], limit: 1 }),
        ).rejects.toThrow();
        return;
      }
      await store.documents.putMany([doc('sp', 'F1', 'Un', ['alpha']), doc('sp', 'F2', 'Deux', ['beta'])]);
      await store.documents.put(doc('local', 'x', 'Trois', ['gamma']));
      const pending = await store.search.chunksWithoutVector(10);
      expect(pending).toHaveLength(3);
      const vec: Record<string, number[]> = { alpha: [1, 0, 0], beta: [0, 1, 0], gamma: [0.9, 0.1, 0] };
      await store.search.putVectors(
        pending.map((c) => ({ chunkId: c.id, vector: new Float32Array(vec[c.text]) })),
      );
      expect(await store.search.chunksWithoutVector(10)).toHaveLength(0);
      const hits = await store.search.dense({
        vector: new Float32Array([1, 0, 0]),
        collectionIds: ['sp'],
        limit: 2,
      });
      const hydrated = await store.search.hydrate(hits.map((h) => h.chunkId));
      expect(hydrated.map((h) => h.text)).toEqual(['alpha', 'beta']);
      expect(hits[0].score).toBeGreaterThan(hits[1].score);
    });

    it('keeps metadata values and deletes a collection with its documents', async () => {
      await store.meta.set('k', 'v1');
      await store.meta.set('k', 'v2');
      expect(await store.meta.get('k')).toBe('v2');
      expect(await store.meta.get('absent')).toBeNull();
      await store.documents.put(doc('local', 'a.md', 'Cantine', ['Tarif de la cantine.']));
      await store.collections.delete('local');
      expect(await store.collections.get('local')).toBeNull();
      expect(await store.documents.count('local')).toBe(0);
      expect(
        await store.search.lexical({
          terms: analyze('cantine'),
          collectionIds: ['local'],
          limit: 5,
          weights: W,
        }),
      ).toEqual([]);
    });

    it('keeps an in-memory lexical copy that ranks like the store and follows its writes', async () => {
      const docs = await loadCorpus(40, 'sp');
      await store.documents.putMany(docs);
      await store.documents.putMany(docs.slice(0, 8).map((d) => ({ ...d, collectionId: 'local' })));
      for (const d of docs.slice(10, 14)) {
        await store.documents.put({ ...d, hash: 'v2', chunks: d.chunks.slice(0, 1) });
      }
      await store.documents.delete((await store.documents.getByExternalId('sp', docs[20].externalId))!.id);
      const scopes = [['sp'], ['sp', 'local'], ['local']];
      const reference = [];
      for (const q of QUERIES) for (const c of scopes) reference.push(await rankedHits(store, q, c));
      const stats = await store.search.termStats(QUERIES.flatMap((q) => analyze(q)));
      expect(store.search.lexicalCache().ready).toBe(false);

      expect(await store.search.warmLexical()).toBe(true);
      const cache = store.search.lexicalCache();
      expect(cache.ready).toBe(true);
      expect(cache.chunks).toBe(stats.chunks);
      let i = 0;
      let compared = 0;
      for (const q of QUERIES) {
        for (const c of scopes) {
          const expected = reference[i++];
          const actual = await rankedHits(store, q, c);
          expect(actual.map((h) => h.key).sort(), q).toEqual(expected.map((h) => h.key).sort());
          const got = new Map(actual.map((h) => [h.key, h.score]));
          for (const h of expected) expect(Math.abs(got.get(h.key)! - h.score) / h.score).toBeLessThan(1e-9);
          // Same order up to ties: scores along the store's ranking never increase.
          const along = expected.map((h) => got.get(h.key)!);
          along.forEach((x, j) => j > 0 && expect(x).toBeLessThanOrEqual(along[j - 1] * (1 + 1e-9)));
          compared += expected.length;
        }
      }
      expect(compared).toBeGreaterThan(100);
      expect(await store.search.termStats(QUERIES.flatMap((q) => analyze(q)))).toEqual(stats);

      // A write makes the copy stale: the very next search sees it, before and after the rebuild.
      const find = async (words: string) =>
        (
          await store.search.hydrate(
            (
              await store.search.lexical({
                terms: analyze(words),
                collectionIds: ['local'],
                limit: 5,
                weights: W,
              })
            ).map((h) => h.chunkId),
          )
        ).map((h) => h.document.externalId);
      const added = await store.documents.put(
        doc('local', 'kermesse.md', 'Kermesse', ['La kermesse de juin.']),
      );
      expect(await find('kermesse')).toEqual(['kermesse.md']);
      expect(await store.search.warmLexical()).toBe(true);
      expect(store.search.lexicalCache().chunks).toBe(stats.chunks + 1);
      // Brought up to date from the change log, not reloaded.
      expect(store.search.lexicalCache()).toMatchObject({ loads: 1, merges: 1 });
      expect(await find('kermesse')).toEqual(['kermesse.md']);
      await store.documents.delete(added.id);
      expect(await find('kermesse')).toEqual([]);
      expect(await store.search.warmLexical()).toBe(true);
      expect(await find('kermesse')).toEqual([]);
      expect(store.search.lexicalCache()).toMatchObject({ loads: 1, merges: 2 });
    }, 60_000);

    it('merges the changes of many writes into its copy and still ranks exactly like the store', async () => {
      const docs = await loadCorpus(40, 'sp');
      await store.documents.putMany(docs.slice(0, 25));
      expect(await store.search.warmLexical()).toBe(true);
      // Additions, replacements (same publication, new text), deletions, a whole collection gone.
      await store.documents.putMany(docs.slice(25, 40));
      await store.documents.putMany(docs.slice(0, 12).map((d) => ({ ...d, collectionId: 'local' })));
      for (const d of docs.slice(5, 10)) {
        await store.documents.put({ ...d, hash: 'v2', chunks: d.chunks.slice(0, 2) });
      }
      for (const d of docs.slice(30, 33)) {
        await store.documents.delete((await store.documents.getByExternalId('sp', d.externalId))!.id);
      }
      await store.collections.create({ id: 'gone', orgId: 'o', name: 'Éphémère', visibility: 'private' });
      await store.documents.putMany(docs.slice(12, 16).map((d) => ({ ...d, collectionId: 'gone' })));
      await store.collections.delete('gone');
      const search = store.search as unknown as {
        storeLexical(q: Parameters<Store['search']['lexical']>[0]): ReturnType<Store['search']['lexical']>;
      };
      const scopes = [['sp'], ['sp', 'local'], ['local'], ['gone']];
      const reference = [];
      for (const q of QUERIES)
        for (const c of scopes)
          reference.push(
            await search.storeLexical({ terms: analyze(q), collectionIds: c, limit: 30, weights: W }),
          );
      const stats = await store.search.termStats(QUERIES.flatMap((q) => analyze(q)));

      expect(await store.search.warmLexical()).toBe(true);
      expect(store.search.lexicalCache()).toMatchObject({ ready: true, loads: 1, merges: 1 });
      expect(await store.search.termStats(QUERIES.flatMap((q) => analyze(q)))).toEqual(stats);
      let i = 0;
      let compared = 0;
      for (const q of QUERIES) {
        for (const c of scopes) {
          const expected = reference[i++];
          const actual = await store.search.lexical({
            terms: analyze(q),
            collectionIds: c,
            limit: 30,
            weights: W,
          });
          expect(actual.map((h) => h.chunkId).sort(), q).toEqual(expected.map((h) => h.chunkId).sort());
          const got = new Map(actual.map((h) => [h.chunkId, h.score]));
          for (const h of expected)
            expect(Math.abs(got.get(h.chunkId)! - h.score) / Math.abs(h.score)).toBeLessThan(1e-9);
          compared += expected.length;
        }
      }
      expect(compared).toBeGreaterThan(200);
    }, 60_000);

    it("keeps an organisation's scores exactly when another adds private documents with its words", async () => {
      const docs = await loadCorpus(30, 'sp');
      await store.documents.putMany(docs);
      await store.documents.putMany(
        docs.slice(0, 6).map((d) => ({ ...d, collectionId: 'local', externalId: `b-${d.externalId}` })),
      );
      const scope = ['sp', 'local'];
      const search = store.search as unknown as {
        storeLexical(q: Parameters<Store['search']['lexical']>[0]): ReturnType<Store['search']['lexical']>;
      };
      const questions = [...QUERIES, 'zorglub'];
      const query = (q: string, collectionIds = scope) => ({
        terms: analyze(q),
        collectionIds,
        limit: 10_000,
        weights: W,
      });
      const bothPaths = async (collectionIds = scope) => {
        const fromStore = [];
        for (const q of questions) fromStore.push(await search.storeLexical(query(q, collectionIds)));
        expect(await store.search.warmLexical()).toBe(true);
        const fromMemory = [];
        for (const q of questions) fromMemory.push(await store.search.lexical(query(q, collectionIds)));
        return { fromStore, fromMemory };
      };
      const before = await bothPaths();
      expect(before.fromStore.flat().length).toBeGreaterThan(100);
      expect(before.fromStore.at(-1)).toEqual([]);

      // Another organisation's private collection, full of B's words and of its own secret one.
      await store.collections.create({ id: 'secret', orgId: 'org-z', name: 'Z', visibility: 'private' });
      const words = questions.join(' ');
      await store.documents.putMany(
        Array.from({ length: 12 }, (_, i) =>
          doc('secret', `zorglub-${i}.md`, words, [
            `${words} zorglub`.repeat(1 + (i % 3)),
            'zorglub zorglub',
          ]),
        ),
      );
      const after = await bothPaths();
      // Exactly: same chunks, same order, same scores to the last bit, on the store and in memory.
      expect(after.fromStore).toEqual(before.fromStore);
      expect(after.fromMemory).toEqual(before.fromMemory);
      // The in-memory copy ranks like the store (up to ties: sums in SQL may differ in the last bits).
      for (const [i, hits] of after.fromStore.entries()) {
        const got = new Map(after.fromMemory[i].map((h) => [h.chunkId, h.score]));
        expect([...got.keys()].sort()).toEqual(hits.map((h) => h.chunkId).sort());
        for (const h of hits) expect(Math.abs(got.get(h.chunkId)! - h.score) / h.score).toBeLessThan(1e-9);
      }
      // The same documents inside the scope do move the scores (the test could fail).
      const seen = await bothPaths([...scope, 'secret']);
      for (const path of ['fromStore', 'fromMemory'] as const) {
        const old = new Map(before[path][0].map((h) => [h.chunkId, h.score]));
        const moved = seen[path][0].filter((h) => old.has(h.chunkId) && old.get(h.chunkId) !== h.score);
        expect(moved.length).toBeGreaterThan(0);
      }

      // Another upload there: the copy, now behind the store, still answers every scope the change
      // did not touch (their statistics do not depend on it); a scope holding it asks the store.
      await store.documents.put(doc('secret', 'zorglub-encore.md', words, ['zorglub encore']));
      const spied = store.search as unknown as { storeLexical: typeof search.storeLexical };
      const original = search.storeLexical;
      let storeCalls = 0;
      spied.storeLexical = (q) => {
        storeCalls++;
        return original.call(store.search, q);
      };
      try {
        const inSecret = await store.search.lexical(query('zorglub', [...scope, 'secret']));
        expect(inSecret.length).toBeGreaterThan(0);
        expect(storeCalls).toBe(1);
        for (const [i, q] of questions.entries())
          expect(await store.search.lexical(query(q))).toEqual(after.fromMemory[i]);
        expect(storeCalls).toBe(1);
      } finally {
        delete (spied as { storeLexical?: unknown }).storeLexical;
      }
    }, 60_000);

    it("gives a scope's term statistics, the same from the store and from memory, whatever other organisations store", async () => {
      const docs = await loadCorpus(30, 'sp');
      await store.documents.putMany(docs);
      await store.documents.putMany(
        docs.slice(0, 6).map((d) => ({ ...d, collectionId: 'local', externalId: `b-${d.externalId}` })),
      );
      const scope = ['sp', 'local'];
      const terms = [...new Set([...QUERIES.flatMap((q) => analyze(q)), 'zorglub'])];
      const fromStore = await store.search.termStats(terms, scope);
      // Counted by hand from the stored chunks: the statistics are the scope's.
      const stored = await store.search.hydrate(
        (await store.search.lexical({ terms, collectionIds: scope, limit: 100_000, weights: W })).map(
          (h) => h.chunkId,
        ),
      );
      const [t] = terms.filter((x) => fromStore.df.get(x)! > 1);
      expect(fromStore.df.get(t)).toBe(stored.filter((c) => analyze(c.text).includes(t)).length);
      expect(fromStore.df.get('zorglub')).toBe(0);
      const narrow = await store.search.termStats(terms, ['local']);
      expect(narrow.chunks).toBeLessThan(fromStore.chunks);
      expect(await store.search.warmLexical()).toBe(true);
      expect(await store.search.termStats(terms, scope)).toEqual(fromStore);
      expect(await store.search.termStats(terms, ['local'])).toEqual(narrow);

      // Another organisation's private documents, full of these words: nothing moves in the scope,
      // neither in the store nor in the copy (now behind the store, it still answers this scope).
      await store.collections.create({ id: 'secret', orgId: 'org-z', name: 'Z', visibility: 'private' });
      await store.documents.putMany(
        Array.from({ length: 5 }, (_, i) =>
          doc('secret', `z-${i}.md`, terms.join(' '), [`${terms.join(' ')} zorglub`]),
        ),
      );
      expect(await store.search.termStats(terms, scope)).toEqual(fromStore);
      const whole = await store.search.termStats(terms);
      expect(whole.df.get('zorglub')).toBe(5);
      expect(whole.chunks).toBe(fromStore.chunks + 5);
      const spied = store.search as unknown as { storeTermStats: (...a: unknown[]) => unknown };
      const proto = Object.getPrototypeOf(store.search) as typeof spied;
      let storeCalls = 0;
      spied.storeTermStats = (...a: unknown[]) => {
        storeCalls++;
        return proto.storeTermStats.apply(store.search, a);
      };
      try {
        expect(await store.search.termStats(terms, scope)).toEqual(fromStore);
        expect(storeCalls).toBe(0);
        expect((await store.search.termStats(terms, [...scope, 'secret'])).df.get('zorglub')).toBe(5);
        expect(storeCalls).toBe(1);
      } finally {
        delete (spied as { storeTermStats?: unknown }).storeTermStats;
      }
    }, 60_000);

    it('runs the holders of a named lock one at a time', async () => {
      let inside = 0;
      let most = 0;
      let waits = 0;
      const run = (v: number) =>
        store.meta.exclusive(
          'test-lock',
          async () => {
            most = Math.max(most, ++inside);
            await new Promise((r) => setTimeout(r, 50));
            inside--;
            if (v === 2) throw new Error('échec voulu');
            return v;
          },
          () => waits++,
        );
      const results = await Promise.allSettled([run(1), run(2), run(3)]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(most).toBe(1);
      expect(waits).toBeGreaterThanOrEqual(1);
      expect(await store.meta.exclusive('test-lock', async () => 'ok')).toBe('ok');
    });
  });
}
