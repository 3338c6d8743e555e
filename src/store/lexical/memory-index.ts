/**
 * An in-memory copy of the lexical index: postings in typed arrays, BM25 computed exactly as FTS5
 * does (bm25.ts), in the same order of operations, so a search gives the same scores as the store's
 * own query. Built from a consistent snapshot of the store and tagged with the store's lexical
 * version; the store answers from it only while that version is current (lexical-cache.ts).
 *
 * Why: FTS5 (and the SQL of the PostgreSQL adapter) evaluate BM25 row by row through generic
 * machinery; a question of counter vocabulary matches ~30 000 chunks, which costs 20–60 ms there
 * and about 1 ms over flat arrays.
 */
import type { ChunkHit, LexicalQuery } from '../spec.js';
import { idf, queryPhrases, termScore, termShare, type Postings } from './bm25.js';

const MAX_TF = 0xffff;

class GrowableInt32 {
  data = new Int32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** Collects chunks one by one, then lays the postings out term by term (a counting sort). */
export class MemoryIndexBuilder {
  private readonly termIds = new Map<string, number>();
  private readonly postTerm = new GrowableInt32();
  private readonly postChunk = new GrowableInt32();
  /** tf title << 16 | tf headings, and tf body, per posting. */
  private readonly postTH = new GrowableInt32();
  private readonly postB = new GrowableInt32();
  private readonly rowids: number[] = [];
  private readonly documentIds: string[] = [];
  private readonly collections: number[] = [];
  private readonly lengths: number[] = [];
  private readonly collectionIds = new Map<string, number>();
  private tokens = 0;
  /** False when a chunk cannot be represented exactly (then the index must not be used). */
  exact = true;

  add(rowid: number, documentId: string, collectionId: string, postings: Postings): void {
    if (!Number.isSafeInteger(rowid)) {
      this.exact = false;
      return;
    }
    const chunk = this.rowids.length;
    this.rowids.push(rowid);
    this.documentIds.push(documentId);
    let coll = this.collectionIds.get(collectionId);
    if (coll === undefined) this.collectionIds.set(collectionId, (coll = this.collectionIds.size));
    this.collections.push(coll);
    this.lengths.push(postings.length);
    this.tokens += postings.length;
    for (const [term, [t, h, b]] of postings.terms) {
      if (t > MAX_TF || h > MAX_TF || b > MAX_TF) this.exact = false;
      let id = this.termIds.get(term);
      if (id === undefined) this.termIds.set(term, (id = this.termIds.size));
      this.postTerm.push(id);
      this.postChunk.push(chunk);
      this.postTH.push((t << 16) | h);
      this.postB.push(b);
    }
  }

  /** Chunks added so far. */
  get size(): number {
    return this.rowids.length;
  }

  /** What was collected, as laid out while adding (for `MemoryLexicalIndex.merge`). */
  collected() {
    return {
      termIds: this.termIds,
      postTerm: this.postTerm,
      postChunk: this.postChunk,
      postTH: this.postTH,
      postB: this.postB,
      rowids: this.rowids,
      documentIds: this.documentIds,
      collections: this.collections,
      lengths: this.lengths,
      collectionIds: this.collectionIds,
      tokens: this.tokens,
    };
  }

  /** The index of the chunks added: the merge of them into an empty index (one layout, one code). */
  finish(version: string): MemoryLexicalIndex {
    return EMPTY.merge(new Set(), this, version);
  }

  /** `finish` in slices, the event loop served between them (a server's full load). */
  finishAsync(version: string): Promise<MemoryLexicalIndex> {
    return EMPTY.mergeAsync(new Set(), this, version);
  }
}

interface IndexData {
  version: string;
  termIds: Map<string, number>;
  start: Int32Array;
  chunk: Int32Array;
  th: Uint32Array;
  b: Uint16Array;
  rowids: Float64Array;
  documentIds: string[];
  /** Collection number of each chunk: 32-bit (a national install has well over 65,536 collections). */
  collections: Uint32Array;
  lengths: Int32Array;
  collectionIds: Map<string, number>;
  tokens: number;
}

/** Postings (or chunks) laid out between two yields of an asynchronous merge: about a millisecond. */
const SLICE = 100_000;

export class MemoryLexicalIndex {
  readonly version: string;
  private readonly d: IndexData;
  /** Chunks and tokens of each collection: the statistics of a search scope are their sums. */
  private readonly collectionChunks: Float64Array;
  private readonly collectionTokens: Float64Array;
  /** Documents (with at least one chunk) of each collection. */
  private readonly collectionDocuments: Float64Array;
  /** Scratch space reused by every search (JavaScript runs one search at a time). */
  private readonly scores: Float64Array;
  private readonly seen: Uint8Array;
  private readonly touched: Int32Array;
  /** A scope's postings of one term and their shares, as long as the longest posting list. */
  private readonly listChunks: Int32Array;
  private readonly listShares: Float64Array;

  constructor(d: IndexData) {
    this.d = d;
    this.version = d.version;
    this.collectionChunks = new Float64Array(d.collectionIds.size);
    this.collectionTokens = new Float64Array(d.collectionIds.size);
    this.collectionDocuments = new Float64Array(d.collectionIds.size);
    const documents = new Set<string>();
    for (let c = 0; c < d.rowids.length; c++) {
      this.collectionChunks[d.collections[c]]++;
      this.collectionTokens[d.collections[c]] += d.lengths[c];
      // A document's chunks are mostly neighbours: the set is asked only when the document changes.
      if (c > 0 && d.documentIds[c] === d.documentIds[c - 1]) continue;
      if (documents.has(d.documentIds[c])) continue;
      documents.add(d.documentIds[c]);
      this.collectionDocuments[d.collections[c]]++;
    }
    this.scores = new Float64Array(d.rowids.length);
    this.seen = new Uint8Array(d.rowids.length);
    this.touched = new Int32Array(d.rowids.length);
    let longest = 0;
    for (let t = 0; t + 1 < d.start.length; t++) longest = Math.max(longest, d.start[t + 1] - d.start[t]);
    this.listChunks = new Int32Array(longest);
    this.listShares = new Float64Array(longest);
  }

  /** Number of chunks in the index (FTS5's row count). */
  get chunks(): number {
    return this.d.rowids.length;
  }

  /** Number of postings (for the operator: memory held is about 14 bytes per posting). */
  get postings(): number {
    return this.d.chunk.length;
  }

  /** The collections of the chunks of these rowids (unknown rowids are skipped). */
  collectionsOf(rowids: readonly number[]): Set<string> {
    const out = new Set<string>();
    if (rowids.length === 0) return out;
    const wanted = new Set(rowids);
    const names = [...this.d.collectionIds.keys()];
    for (let c = 0; c < this.d.rowids.length; c++)
      if (wanted.has(this.d.rowids[c])) out.add(names[this.d.collections[c]]);
    return out;
  }

  /** Documents holding at least one chunk in these collections (a document has one collection). */
  documentsIn(collectionIds: readonly string[]): number {
    let n = 0;
    for (const c of new Set(collectionIds)) {
      const i = this.d.collectionIds.get(c);
      if (i !== undefined) n += this.collectionDocuments[i];
    }
    return n;
  }

  /** Chunks of a scope, and how many of them contain each term (unique terms). */
  scopeTermStats(
    terms: readonly string[],
    collectionIds: string[],
  ): { chunks: number; df: Map<string, number> } {
    const df = new Map<string, number>(terms.map((t) => [t, 0]));
    const scope = this.scope(collectionIds);
    if (!scope) return { chunks: 0, df };
    const d = this.d;
    const whole = scope.rows === d.rowids.length;
    for (const t of terms) {
      const id = this.termId(t);
      if (id === undefined) continue;
      if (whole) {
        df.set(t, d.start[id + 1] - d.start[id]);
        continue;
      }
      let n = 0;
      for (let p = d.start[id]; p < d.start[id + 1]; p++) n += scope.allowed[d.collections[d.chunk[p]]];
      df.set(t, n);
    }
    return { chunks: scope.rows, df };
  }

  /**
   * A term's number in this index. The term map is shared with the indexes merged from this one,
   * which append their new terms: ids past this index's own terms are not its.
   */
  private termId(term: string): number | undefined {
    const id = this.d.termIds.get(term);
    return id !== undefined && id + 1 < this.d.start.length ? id : undefined;
  }

  /** Chunks containing a term, over the whole index. */
  df(term: string): number {
    const id = this.termId(term);
    return id === undefined ? 0 : this.d.start[id + 1] - this.d.start[id];
  }

  /**
   * A new index: this one without the chunks whose rowid is in `removed`, plus the chunks of
   * `added` (a chunk of `added` replaces any chunk of the same rowid). One pass over the postings,
   * no reading from the store and no analysis of the kept text: milliseconds where a full load
   * takes a second or more. The result is laid out like one built from scratch, so it ranks the same.
   */
  merge(removed: ReadonlySet<number>, added: MemoryIndexBuilder, version: string): MemoryLexicalIndex {
    const steps = this.mergeSteps(removed, added, version);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * `merge` in slices of about a millisecond, the event loop served between them (searches keep
   * using this index meanwhile: it is never changed). What `guichet serve` runs after a write: one
   * pass over millions of postings would otherwise hold every request for tens of milliseconds.
   */
  async mergeAsync(
    removed: ReadonlySet<number>,
    added: MemoryIndexBuilder,
    version: string,
  ): Promise<MemoryLexicalIndex> {
    const steps = this.mergeSteps(removed, added, version);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The merge, yielding after every slice of about `SLICE` postings or chunks. */
  private *mergeSteps(
    removed: ReadonlySet<number>,
    added: MemoryIndexBuilder,
    version: string,
  ): Generator<void, MemoryLexicalIndex> {
    let work = 0;
    const d = this.d;
    const a = added.collected();
    const replaced = new Set(a.rowids);
    const nOld = d.rowids.length;
    // Chunk numbers: the kept chunks keep their order, the added ones follow.
    const remap = new Int32Array(nOld);
    let kept = 0;
    let tokens = d.tokens;
    for (let c = 0; c < nOld; c++) {
      const rowid = d.rowids[c];
      if (removed.has(rowid) || replaced.has(rowid)) {
        remap[c] = -1;
        tokens -= d.lengths[c];
      } else remap[c] = kept++;
      if (++work > SLICE) {
        work = 0;
        yield;
      }
    }
    const rows = kept + a.rowids.length;
    // The term map is shared with this index, new terms appended (copying ~10^5 entries held the
    // event loop ~10 ms): this index ignores the ids past its own terms (termId).
    const { ids: termIds, renumber: addedTerm } = extendIds(d.termIds, a.termIds, Int32Array, true);
    const { ids: collectionIds, renumber: addedCollection } = extendIds(
      d.collectionIds,
      a.collectionIds,
      Uint32Array,
    );
    // Posting lists: counted, then filled (kept postings first, added ones after, per term).
    const nTerms = termIds.size;
    const oldTerms = d.start.length - 1;
    const start = new Int32Array(nTerms + 1);
    yield;
    for (let t = 0; t < oldTerms; t++) {
      let n = 0;
      for (let p = d.start[t]; p < d.start[t + 1]; p++) if (remap[d.chunk[p]] >= 0) n++;
      start[t + 1] = n;
      if ((work += n + 1) > SLICE) {
        work = 0;
        yield;
      }
    }
    const nAdded = a.postTerm.length;
    for (let i = 0; i < nAdded; i++) start[addedTerm[a.postTerm.data[i]] + 1]++;
    for (let t = 0; t < nTerms; t++) start[t + 1] += start[t];
    const total = start[nTerms];
    const chunk = new Int32Array(total);
    const th = new Uint32Array(total);
    const b = new Uint16Array(total);
    const fill = start.slice(0, nTerms);
    for (let t = 0; t < oldTerms; t++) {
      let at = fill[t];
      for (let p = d.start[t]; p < d.start[t + 1]; p++) {
        const c = remap[d.chunk[p]];
        if (c < 0) continue;
        chunk[at] = c;
        th[at] = d.th[p];
        b[at] = d.b[p];
        at++;
      }
      if ((work += at - fill[t] + 1) > SLICE) {
        work = 0;
        yield;
      }
      fill[t] = at;
    }
    for (let i = 0; i < nAdded; i++) {
      const at = fill[addedTerm[a.postTerm.data[i]]]++;
      chunk[at] = kept + a.postChunk.data[i];
      th[at] = a.postTH.data[i];
      b[at] = a.postB.data[i];
    }
    yield;
    // Per-chunk arrays.
    const rowids = new Float64Array(rows);
    const documentIds = new Array<string>(rows);
    const collections = new Uint32Array(rows);
    const lengths = new Int32Array(rows);
    for (let c = 0; c < nOld; c++) {
      const to = remap[c];
      if (to < 0) continue;
      rowids[to] = d.rowids[c];
      documentIds[to] = d.documentIds[c];
      collections[to] = d.collections[c];
      lengths[to] = d.lengths[c];
    }
    for (let i = 0; i < a.rowids.length; i++) {
      rowids[kept + i] = a.rowids[i];
      documentIds[kept + i] = a.documentIds[i];
      collections[kept + i] = addedCollection[a.collections[i]];
      lengths[kept + i] = a.lengths[i];
    }
    yield;
    return new MemoryLexicalIndex({
      version,
      termIds,
      start,
      chunk,
      th,
      b,
      rowids,
      documentIds,
      collections,
      lengths,
      collectionIds,
      tokens: tokens + a.tokens,
    });
  }

  /**
   * The collections of a search scope, as a mask over collection numbers, with the scope's
   * statistics (chunks, tokens); null when none of them holds a chunk.
   */
  private scope(collectionIds: string[]): { allowed: Uint8Array; rows: number; tokens: number } | null {
    const d = this.d;
    const allowed = new Uint8Array(d.collectionIds.size);
    let rows = 0;
    let tokens = 0;
    for (const c of collectionIds) {
      const i = d.collectionIds.get(c);
      if (i === undefined || allowed[i] === 1) continue;
      allowed[i] = 1;
      rows += this.collectionChunks[i];
      tokens += this.collectionTokens[i];
    }
    return rows > 0 ? { allowed, rows, tokens } : null;
  }

  /**
   * BM25 over the scope `q.collectionIds`: N, avgdl and each term's n_t are those of the chunks of
   * these collections (see bm25.ts), so chunks outside the scope never move a score.
   */
  search(q: LexicalQuery): ChunkHit[] {
    const phrases = queryPhrases(q.terms);
    const limit = Math.floor(q.limit);
    if (phrases.length === 0 || q.collectionIds.length === 0 || !(limit > 0)) return [];
    const d = this.d;
    const scope = this.scope(q.collectionIds);
    if (!scope) return [];
    const { allowed, rows } = scope;
    const whole = rows === d.rowids.length;
    const avgdl = scope.tokens / rows;
    const { title: wT, headings: wH, body: wB } = q.weights;
    const { scores, seen, touched, listChunks, listShares } = this;
    let nTouched = 0;
    const touch = (c: number) => {
      if (seen[c] === 0) {
        seen[c] = 1;
        touched[nTouched++] = c;
      }
    };
    for (const phrase of phrases) {
      const id = this.termId(phrase);
      if (id === undefined) continue;
      const from = d.start[id];
      const to = d.start[id + 1];
      if (whole) {
        const w = idf(rows, to - from);
        for (let p = from; p < to; p++) {
          const c = d.chunk[p];
          const th = d.th[p];
          // FTS5 adds the column weight once per instance: the same sum for integer weights.
          const f = wT * (th >>> 16) + wH * (th & 0xffff) + wB * d.b[p];
          touch(c);
          scores[c] += termScore(w, f, d.lengths[c], avgdl);
        }
        continue;
      }
      // One pass over the term's postings keeps the scope's, with their share before the idf (n_t
      // is their number); the idf then weighs them: the same doubles as termScore.
      let n = 0;
      for (let p = from; p < to; p++) {
        const c = d.chunk[p];
        if (allowed[d.collections[c]] === 0) continue;
        const th = d.th[p];
        listChunks[n] = c;
        listShares[n++] = termShare(wT * (th >>> 16) + wH * (th & 0xffff) + wB * d.b[p], d.lengths[c], avgdl);
      }
      if (n === 0) continue;
      const w = idf(rows, n);
      for (let i = 0; i < n; i++) {
        const c = listChunks[i];
        touch(c);
        scores[c] += w * listShares[i];
      }
    }
    const top = topChunks(scores, touched, nTouched, limit, d.rowids);
    const hits = top.map((c) => ({
      chunkId: String(d.rowids[c]),
      documentId: d.documentIds[c],
      score: scores[c],
    }));
    for (let i = 0; i < nTouched; i++) {
      scores[touched[i]] = 0;
      seen[touched[i]] = 0;
    }
    return hits;
  }
}

/**
 * The ids of `base` followed by those of `added` it lacks, and for each id of `added` its number
 * in the result.
 */
function extendIds<A extends Int32Array | Uint32Array>(
  base: Map<string, number>,
  added: Map<string, number>,
  Numbers: new (length: number) => A,
  /** Append to `base` itself instead of a copy (append-only maps). */
  inPlace = false,
): { ids: Map<string, number>; renumber: A } {
  const ids = inPlace ? base : new Map(base);
  const renumber = new Numbers(added.size);
  for (const [key, id] of added) {
    let to = ids.get(key);
    if (to === undefined) ids.set(key, (to = ids.size));
    renumber[id] = to;
  }
  return { ids, renumber };
}

/** Higher score first, then lower rowid (FTS5 leaves ties in an unspecified order). */
function before(scores: Float64Array, rowids: Float64Array, a: number, b: number): boolean {
  return scores[a] > scores[b] || (scores[a] === scores[b] && rowids[a] < rowids[b]);
}

/** The `limit` best of the touched chunks, best first: a bounded heap whose root is the worst kept. */
function topChunks(
  scores: Float64Array,
  touched: Int32Array,
  n: number,
  limit: number,
  rowids: Float64Array,
): number[] {
  const heap: number[] = [];
  const worse = (a: number, b: number) => before(scores, rowids, b, a);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l], heap[m])) m = l;
      if (r < heap.length && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    const c = touched[i];
    if (heap.length < limit) {
      heap.push(c);
      for (let j = heap.length - 1; j > 0;) {
        const parent = (j - 1) >> 1;
        if (!worse(heap[j], heap[parent])) break;
        [heap[j], heap[parent]] = [heap[parent], heap[j]];
        j = parent;
      }
    } else if (before(scores, rowids, c, heap[0])) {
      heap[0] = c;
      down(0);
    }
  }
  return heap.sort((a, b) => (before(scores, rowids, a, b) ? -1 : 1));
}

/** The index of no chunk, that full builds merge into. */
const EMPTY = new MemoryLexicalIndex({
  version: '',
  termIds: new Map(),
  start: new Int32Array(1),
  chunk: new Int32Array(0),
  th: new Uint32Array(0),
  b: new Uint16Array(0),
  rowids: new Float64Array(0),
  documentIds: [],
  collections: new Uint32Array(0),
  lengths: new Int32Array(0),
  collectionIds: new Map(),
  tokens: 0,
});
