import { attachDocuments, CHUNK_COLUMNS, DOC_COLUMNS, toChunk, toDocument } from '../shared-rows.js';
import { AppError } from '../../shared/errors.js';
import type {
  ChunkHit,
  ChunkWithDocument,
  DenseQuery,
  LexicalQuery,
  SearchRepo,
  StoredChunk,
} from '../spec.js';
import { MemoryBackedSearch, type TermStats } from '../lexical/memory-backed-search.js';
import type { Db } from './open.js';
import { SqliteLexicalSource } from './lexical-source.js';
import { ensureVectorTable, vectorTableExists } from './vectors.js';
import { idf, queryPhrases, termScore } from '../lexical/bm25.js';

/** A chunk holding a query term: rowid, document id, token count, instances in title, headings, body. */
type PostingRow = [number, string, number, number, number, number];

/** Quotes an analyzed term for an FTS5 query (terms are letters and digits, but never trust it). */
function ftsTerm(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

export class SqliteSearch extends MemoryBackedSearch implements SearchRepo {
  constructor(
    private readonly db: Db,
    private readonly vectorsAvailable: boolean,
  ) {
    super(new SqliteLexicalSource(db));
  }

  /**
   * BM25 over the scope (bm25.ts). FTS5's bm25() counts N, avgdl and n_t over the whole table: it
   * answers when the scope holds every chunk (one organisation, the CLI over the national corpus),
   * its scores then being the scope's, bit for bit (a test compares). Otherwise the adapter scores
   * in JS from what FTS5 stores: each query term's instances per chunk and column (fts5vocab
   * 'instance'), the chunks' token counts (`chunks.lexical_length`) and the scope's totals
   * (`lexical_collection_stats`), with the operations of FTS5 and of the in-memory index.
   */
  async storeLexical(q: LexicalQuery): Promise<ChunkHit[]> {
    const phrases = queryPhrases(q.terms);
    const limit = Math.floor(q.limit);
    if (phrases.length === 0 || q.collectionIds.length === 0 || !(limit > 0)) return [];
    const stats = this.scopeTotals(q.collectionIds);
    const rows = stats.n;
    if (rows <= 0) return [];
    if (rows === stats.total) return this.wholeIndexLexical(q, limit);
    return this.lexicalFromInstances(q, rows, stats.tokens / rows);
  }

  /** Chunks and tokens of a scope, and chunks of the whole index (`lexical_collection_stats`). */
  private scopeTotals(collectionIds: string[]): { n: number; tokens: number; total: number } {
    const inList = collectionIds.map(() => '?').join(', ');
    const r = this.db
      .prepare(
        `SELECT SUM(CASE WHEN collection_id IN (${inList}) THEN chunk_count END) AS n,
           SUM(CASE WHEN collection_id IN (${inList}) THEN token_count END) AS tokens,
           SUM(chunk_count) AS total
         FROM lexical_collection_stats`,
      )
      .get(...collectionIds, ...collectionIds) as {
      n: number | null;
      tokens: number | null;
      total: number | null;
    };
    return { n: r.n ?? 0, tokens: r.tokens ?? 0, total: r.total ?? 0 };
  }

  /** The JS scoring of `storeLexical`, given the scope's chunks and average length (public for tests). */
  lexicalFromInstances(q: LexicalQuery, rows: number, avgdl: number): ChunkHit[] {
    const phrases = queryPhrases(q.terms);
    const limit = Math.floor(q.limit);
    const inList = q.collectionIds.map(() => '?').join(', ');
    this.db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_instances USING fts5vocab(main, chunks_fts, 'instance')`,
    );
    const postings = this.db
      .prepare(
        `SELECT v.doc, c.document_id, c.lexical_length,
           SUM(v.col = 'title'), SUM(v.col = 'headings'), SUM(v.col = 'body')
         FROM temp.chunks_instances v JOIN chunks c ON c.rowid = v.doc
         WHERE v.term = ? AND c.collection_id IN (${inList})
         GROUP BY v.doc`,
      )
      .raw(true);
    const { title: wT, headings: wH, body: wB } = q.weights;
    const scores = new Map<number, { documentId: string; score: number }>();
    const lists = new Map<string, PostingRow[]>();
    for (const phrase of phrases) {
      let list = lists.get(phrase);
      if (!list) lists.set(phrase, (list = postings.all(phrase, ...q.collectionIds) as PostingRow[]));
      if (list.length === 0) continue;
      const w = idf(rows, list.length);
      for (const [rowid, documentId, length, t, h, b] of list) {
        const s = termScore(w, wT * t + wH * h + wB * b, length, avgdl);
        const hit = scores.get(rowid);
        if (hit) hit.score += s;
        else scores.set(rowid, { documentId, score: 0 + s });
      }
    }
    return [...scores]
      .sort(([ra, a], [rb, b]) => b.score - a.score || ra - rb)
      .slice(0, limit)
      .map(([rowid, h]) => ({ chunkId: String(rowid), documentId: h.documentId, score: h.score }));
  }

  /** FTS5's own bm25(), for a scope holding every chunk of the index. */
  private wholeIndexLexical(q: LexicalQuery, limit: number): ChunkHit[] {
    const terms = [...new Set(q.terms.filter((t) => t.length > 0))];
    const { title, headings, body } = q.weights;
    const placeholders = q.collectionIds.map(() => '?').join(', ');
    const rows = this.db
      .prepare(
        `SELECT f.rowid AS rowid, c.document_id AS document_id, bm25(chunks_fts, ?, ?, ?) AS rank
         FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid
         WHERE chunks_fts MATCH ? AND c.collection_id IN (${placeholders})
         ORDER BY rank, f.rowid LIMIT ?`,
      )
      .all(title, headings, body, terms.map(ftsTerm).join(' OR '), ...q.collectionIds, limit) as {
      rowid: number;
      document_id: string;
      rank: number;
    }[];
    return rows.map((r) => ({ chunkId: String(r.rowid), documentId: r.document_id, score: -r.rank }));
  }

  async dense(q: DenseQuery): Promise<ChunkHit[]> {
    if (!this.vectorsAvailable) {
      throw new AppError(
        'service_unavailable',
        "La recherche vectorielle n'est pas disponible (extension sqlite-vec absente).",
      );
    }
    if (!vectorTableExists(this.db) || q.collectionIds.length === 0 || q.limit <= 0) return [];
    const placeholders = q.collectionIds.map(() => '?').join(', ');
    const rows = this.db
      .prepare(
        `SELECT v.chunk_rowid AS rowid, c.document_id AS document_id, v.distance AS distance
         FROM chunk_vectors v JOIN chunks c ON c.rowid = v.chunk_rowid
         WHERE v.embedding MATCH ? AND k = ? AND v.collection_id IN (${placeholders})
         ORDER BY v.distance`,
      )
      .all(
        Buffer.from(q.vector.buffer, q.vector.byteOffset, q.vector.byteLength),
        q.limit,
        ...q.collectionIds,
      ) as {
      rowid: number;
      document_id: string;
      distance: number;
    }[];
    return rows.map((r) => ({ chunkId: String(r.rowid), documentId: r.document_id, score: 1 - r.distance }));
  }

  async putVectors(items: { chunkId: string; vector: Float32Array }[]): Promise<void> {
    if (items.length === 0) return;
    if (!this.vectorsAvailable) {
      throw new AppError(
        'service_unavailable',
        "La recherche vectorielle n'est pas disponible (extension sqlite-vec absente).",
      );
    }
    ensureVectorTable(this.db, items[0].vector.length);
    const getColl = this.db.prepare('SELECT collection_id FROM chunks WHERE rowid = ?');
    const del = this.db.prepare('DELETE FROM chunk_vectors WHERE chunk_rowid = ?');
    const ins = this.db.prepare(
      'INSERT INTO chunk_vectors (chunk_rowid, collection_id, embedding) VALUES (?, ?, ?)',
    );
    const mark = this.db.prepare('UPDATE chunks SET has_vector = 1 WHERE rowid = ?');
    this.db.transaction(() => {
      for (const { chunkId, vector } of items) {
        const rowid = BigInt(chunkId);
        const row = getColl.get(rowid) as { collection_id: string } | undefined;
        if (!row) continue;
        del.run(rowid);
        ins.run(rowid, row.collection_id, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
        mark.run(rowid);
      }
    })();
  }

  async chunksWithoutVector(limit: number): Promise<StoredChunk[]> {
    return this.db
      .prepare(`SELECT ${CHUNK_COLUMNS} FROM chunks WHERE has_vector = 0 ORDER BY rowid LIMIT ?`)
      .all(limit)
      .map(toChunk);
  }

  protected async storeTermStats(unique: string[], collectionIds?: string[]): Promise<TermStats> {
    if (collectionIds) {
      const scoped = this.scopeTermStats(unique, collectionIds);
      if (scoped) return scoped;
    }
    const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM chunks').get() as { n: number };
    const df = new Map<string, number>(unique.map((t) => [t, 0]));
    if (unique.length > 0) {
      this.db.exec(
        `CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab USING fts5vocab(main, chunks_fts, 'row')`,
      );
      const rows = this.db
        .prepare(
          `SELECT term, doc FROM temp.chunks_vocab WHERE term IN (${unique.map(() => '?').join(', ')})`,
        )
        .all(...unique) as { term: string; doc: number }[];
      for (const r of rows) df.set(r.term, r.doc);
    }
    return { chunks: n, df };
  }

  /** Term statistics of a scope; null when the scope holds every chunk (the whole index's then). */
  private scopeTermStats(unique: string[], collectionIds: string[]): TermStats | null {
    const df = new Map<string, number>(unique.map((t) => [t, 0]));
    if (collectionIds.length === 0) return { chunks: 0, df };
    const { n, total } = this.scopeTotals(collectionIds);
    if (n > 0 && n === total) return null;
    if (n === 0 || unique.length === 0) return { chunks: n, df };
    this.db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_instances USING fts5vocab(main, chunks_fts, 'instance')`,
    );
    const inList = collectionIds.map(() => '?').join(', ');
    const count = this.db.prepare(
      `SELECT COUNT(DISTINCT v.doc) AS n FROM temp.chunks_instances v JOIN chunks c ON c.rowid = v.doc
       WHERE v.term = ? AND c.collection_id IN (${inList})`,
    );
    for (const t of unique) df.set(t, (count.get(t, ...collectionIds) as { n: number }).n);
    return { chunks: n, df };
  }

  async scopeStats(
    terms: string[],
    collectionIds: string[],
  ): Promise<{ documents: number; df: Map<string, number> }> {
    const unique = [...new Set(terms)].slice(0, 50);
    const df = new Map<string, number>(unique.map((t) => [t, 0]));
    if (collectionIds.length === 0) return { documents: 0, df };
    const inList = collectionIds.map(() => '?').join(', ');
    // Documents that can be found (at least one chunk): the in-memory copy counts the same.
    const n =
      (await this.memoryScopeDocuments(collectionIds)) ??
      (
        this.db
          .prepare(
            `SELECT COUNT(*) AS n FROM documents WHERE collection_id IN (${inList}) AND chunk_count > 0`,
          )
          .get(...collectionIds) as { n: number }
      ).n;
    const count = this.db.prepare(
      `SELECT COUNT(DISTINCT c.document_id) AS n FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid
       WHERE chunks_fts MATCH ? AND c.collection_id IN (${inList})`,
    );
    for (const t of unique) df.set(t, (count.get(ftsTerm(t), ...collectionIds) as { n: number }).n);
    return { documents: n, df };
  }

  async documentKinds(documentIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(documentIds)];
    if (ids.length === 0) return new Map();
    const rows = this.db
      .prepare(`SELECT id, kind FROM documents WHERE id IN (${ids.map(() => '?').join(', ')})`)
      .all(...ids) as { id: string; kind: string }[];
    return new Map(rows.map((r) => [r.id, r.kind]));
  }

  async hydrate(chunkIds: string[]): Promise<ChunkWithDocument[]> {
    if (chunkIds.length === 0) return [];
    const placeholders = chunkIds.map(() => '?').join(', ');
    const chunks = this.db
      .prepare(`SELECT ${CHUNK_COLUMNS} FROM chunks WHERE rowid IN (${placeholders})`)
      .all(...chunkIds.map((id) => Number(id)))
      .map(toChunk);
    const docIds = [...new Set(chunks.map((c) => c.documentId))];
    const documents = this.db
      .prepare(`SELECT ${DOC_COLUMNS} FROM documents WHERE id IN (${docIds.map(() => '?').join(', ')})`)
      .all(...docIds)
      .map(toDocument);
    return attachDocuments(chunkIds, chunks, documents);
  }
}
