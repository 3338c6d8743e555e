import { describe, expect, it } from 'vitest';
import { plainDocument } from '../../test/store/plain-document.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/spec.js';
import { BUILTIN_BATCH, ensureBuiltinCollection, ingestBuiltin } from './ingest-builtin.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Holds the thread for `ms` (what parsing a publication or writing it costs, without I/O). */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* spin */
  }
}

describe('ingestBuiltin', () => {
  it('serves the event loop while it parses and writes (first start, DILA refresh in `guichet serve`)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-ingest-builtin-'));
    const store: Store = openSqliteStore(dir);
    try {
      await ensureBuiltinCollection(store, { id: 'national', name: 'National', description: '' });
      // Writing is made slow too: 1 ms per document, as a SQLite write of a real publication costs.
      const putMany = store.documents.putMany.bind(store.documents);
      store.documents.putMany = async (docs) => {
        busy(docs.length);
        return putMany(docs);
      };
      let last = performance.now();
      let worst = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last);
        last = now;
      }, 1);
      const n = 300;
      const r = await ingestBuiltin({
        store,
        collectionId: 'national',
        source: 'test',
        expected: n,
        noun: 'Publication',
        items: Array.from({ length: n }, (_, i) => ({
          id: `P${i}`,
          hash: `h-P${i}`,
          parse: () => {
            busy(2);
            return { ...plainDocument('national', `P${i}`, [`texte ${i}`]), hash: `h-P${i}` };
          },
        })),
      });
      clearInterval(timer);
      expect(r.summary.added).toBe(n);
      expect((await store.documents.hashes('national')).size).toBe(n);
      // 300 × (2 ms + 1 ms) of work: one long task of ~0.6 s before (batches of 200, no turn of the
      // loop); now slices of ~10 ms and writes of BUILTIN_BATCH documents.
      expect(worst).toBeLessThan(150);
      expect(BUILTIN_BATCH).toBeLessThanOrEqual(20);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
