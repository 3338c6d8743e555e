import { attachDocuments, CHUNK_COLUMNS, DOC_COLUMNS, toChunk, toDocument } from '../shared-rows.js';
import type {
  ChunkHit,
  ChunkWithDocument,
  DenseQuery,
  LexicalQuery,
  SearchRepo,
  StoredChunk,
} from '../spec.js';
import { withTx, type Pool } from './db.js';
import { searchLexical } from './lexical.js';
import { MemoryBackedSearch, type TermStats } from '../lexical/memory-backed-search.js';
import { PostgresLexicalSource } from './lexical-source.js';
import {
  checkDimensions,
  ensureVectorTable,
  toVectorText,
  unavailable,
  vectorDimensions,
} from './vectors.js';

const ROWID = /^\d{1,18}$/;

export interface VectorSupport {
  available: boolean;
  /** pgvector ≥ 0.8 filters inside the HNSW scan (`hnsw.iterative_scan`): no hits lost to filters. */
  iterativeScan: boolean;
}

export class PostgresSearch extends MemoryBackedSearch implements SearchRepo {
  private dimensions: number | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly vectors: VectorSupport,
  ) {
    super(new PostgresLexicalSource(pool));
  }

  storeLexical(q: LexicalQuery): Promise<ChunkHit[]> {
    return searchLexical(this.pool, q);
  }

  async dense(q: DenseQuery): Promise<ChunkHit[]> {
    if (!this.vectors.available) throw unavailable();
    if (q.collectionIds.length === 0 || q.limit <= 0) return [];
    this.dimensions ??= await vectorDimensions(this.pool);
    if (this.dimensions === null) return [];
    checkDimensions(this.dimensions, q.vector.length);
    const limit = Math.floor(q.limit);
    return withTx(this.pool, async (c) => {
      await c.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [
        String(Math.min(1000, Math.max(40, limit))),
      ]);
      if (this.vectors.iterativeScan) await c.query(`SET LOCAL hnsw.iterative_scan = strict_order`);
      const { rows } = await c.query<{ rowid: string; document_id: string; distance: number }>(
        `SELECT k.chunk_rowid::text AS rowid, ch.document_id, k.distance
         FROM (SELECT v.chunk_rowid, v.embedding <=> $1::vector AS distance
               FROM chunk_vectors v WHERE v.collection_id = ANY($2::text[])
               ORDER BY v.embedding <=> $1::vector LIMIT $3) AS k
         JOIN chunks ch ON ch.rowid = k.chunk_rowid
         ORDER BY k.distance, k.chunk_rowid`,
        [toVectorText(q.vector), q.collectionIds, limit],
      );
      return rows.map((r) => ({ chunkId: r.rowid, documentId: r.document_id, score: 1 - r.distance }));
    });
  }

  async putVectors(items: { chunkId: string; vector: Float32Array }[]): Promise<void> {
    if (items.length === 0) return;
    if (!this.vectors.available) throw unavailable();
    const dims = items[0].vector.length;
    if (this.dimensions === null) {
      await ensureVectorTable(this.pool, dims);
      this.dimensions = dims;
    }
    const last = new Map<string, string>();
    for (const { chunkId, vector } of items) {
      checkDimensions(this.dimensions, vector.length);
      if (ROWID.test(chunkId)) last.set(chunkId, toVectorText(vector));
    }
    const ids = [...last.keys()];
    await withTx(this.pool, async (c) => {
      await c.query(
        `INSERT INTO chunk_vectors (chunk_rowid, collection_id, embedding)
         SELECT ch.rowid, ch.collection_id, u.e::vector
         FROM unnest($1::bigint[], $2::text[]) AS u(r, e) JOIN chunks ch ON ch.rowid = u.r
         ON CONFLICT (chunk_rowid) DO UPDATE SET embedding = excluded.embedding, collection_id = excluded.collection_id`,
        [ids, [...last.values()]],
      );
      await c.query(
        'UPDATE chunks SET has_vector = true WHERE rowid = ANY($1::bigint[]) AND NOT has_vector',
        [ids],
      );
    });
  }

  async chunksWithoutVector(limit: number): Promise<StoredChunk[]> {
    const { rows } = await this.pool.query(
      `SELECT ${CHUNK_COLUMNS} FROM chunks WHERE NOT has_vector ORDER BY rowid LIMIT $1`,
      [Math.max(0, Math.floor(limit))],
    );
    return rows.map(toChunk);
  }

  protected async storeTermStats(unique: string[], collectionIds?: string[]): Promise<TermStats> {
    if (collectionIds) {
      const df = new Map<string, number>(unique.map((t) => [t, 0]));
      const { rows } = await this.pool.query<{ n: string | null; term: string | null; df: string | null }>(
        `SELECT s.n, t.term, t.df
         FROM (SELECT sum(chunk_count) AS n FROM lexical_collection_stats WHERE collection_id = ANY($2::text[])) s
         LEFT JOIN (
           SELECT term, sum(chunk_count) AS df FROM lexical_collection_terms
           WHERE term = ANY($1::text[]) AND collection_id = ANY($2::text[]) GROUP BY term
         ) t ON true`,
        [unique, collectionIds],
      );
      for (const r of rows) if (r.term !== null) df.set(r.term, Number(r.df));
      return { chunks: Number(rows[0]?.n ?? 0), df };
    }
    const df = new Map<string, number>(unique.map((t) => [t, 0]));
    const { rows } = await this.pool.query<{ n: string; term: string | null; df: string | null }>(
      `SELECT s.chunk_count AS n, t.term, t.chunk_count AS df
       FROM lexical_stats s LEFT JOIN lexical_terms t ON t.term = ANY($1::text[])`,
      [unique],
    );
    for (const r of rows) if (r.term !== null) df.set(r.term, Number(r.df));
    return { chunks: Number(rows[0]?.n ?? 0), df };
  }

  async scopeStats(
    terms: string[],
    collectionIds: string[],
  ): Promise<{ documents: number; df: Map<string, number> }> {
    const unique = [...new Set(terms)].slice(0, 50);
    const df = new Map<string, number>(unique.map((t) => [t, 0]));
    if (collectionIds.length === 0) return { documents: 0, df };
    // Documents that can be found (at least one chunk): the in-memory copy counts the same.
    const inMemory = await this.memoryScopeDocuments(collectionIds);
    const documents =
      inMemory ??
      Number(
        (
          await this.pool.query<{ n: string }>(
            `SELECT COUNT(*) AS n FROM documents WHERE collection_id = ANY($1::text[]) AND chunk_count > 0`,
            [collectionIds],
          )
        ).rows[0]?.n ?? 0,
      );
    if (unique.length > 0) {
      const { rows } = await this.pool.query<{ term: string; n: string }>(
        `SELECT p.term, COUNT(DISTINCT c.document_id) AS n
         FROM lexical_postings p JOIN chunks c ON c.rowid = p.chunk_rowid
         WHERE p.term = ANY($1::text[]) AND p.collection_id = ANY($2::text[])
         GROUP BY p.term`,
        [unique, collectionIds],
      );
      for (const r of rows) df.set(r.term, Number(r.n));
    }
    return { documents, df };
  }

  async documentKinds(documentIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(documentIds)];
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; kind: string }>(
      `SELECT id, kind FROM documents WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.kind]));
  }

  async hydrate(chunkIds: string[]): Promise<ChunkWithDocument[]> {
    const ids = chunkIds.filter((id) => ROWID.test(id));
    if (ids.length === 0) return [];
    const chunks = (
      await this.pool.query(`SELECT ${CHUNK_COLUMNS} FROM chunks WHERE rowid = ANY($1::bigint[])`, [ids])
    ).rows.map(toChunk);
    const docIds = [...new Set(chunks.map((c) => c.documentId))];
    const documents = (
      await this.pool.query(`SELECT ${DOC_COLUMNS} FROM documents WHERE id = ANY($1::text[])`, [docIds])
    ).rows.map(toDocument);
    return attachDocuments(chunkIds, chunks, documents);
  }
}
