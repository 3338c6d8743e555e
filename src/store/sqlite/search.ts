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

  async storeLexical(q: LexicalQuery): Promise<ChunkHit[]> {
    const terms = [...new Set(q.terms.filter((t) => t.length > 0))];
    if (terms.length === 0 || q.collectionIds.length === 0 || q.limit <= 0) return [];
    const match = terms.map(ftsTerm).join(' OR ');
    const { title, headings, body } = q.weights;
    const placeholders = q.collectionIds.map(() => '?').join(', ');
    const rows = this.db
      .prepare(
        `SELECT f.rowid AS rowid, c.document_id AS document_id, bm25(chunks_fts, ?, ?, ?) AS rank
         FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid
         WHERE chunks_fts MATCH ? AND c.collection_id IN (${placeholders})
         ORDER BY rank LIMIT ?`,
      )
      .all(title, headings, body, match, ...q.collectionIds, q.limit) as {
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

  protected async storeTermStats(unique: string[]): Promise<TermStats> {
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

  async scopeStats(
    terms: string[],
    collectionIds: string[],
  ): Promise<{ documents: number; df: Map<string, number> }> {
    const unique = [...new Set(terms)].slice(0, 50);
    const df = new Map<string, number>(unique.map((t) => [t, 0]));
    if (collectionIds.length === 0) return { documents: 0, df };
    const inList = collectionIds.map(() => '?').join(', ');
    const { n } = this.db
      .prepare(`SELECT COUNT(*) AS n FROM documents WHERE collection_id IN (${inList})`)
      .get(...collectionIds) as { n: number };
    const count = this.db.prepare(
      `SELECT COUNT(DISTINCT c.document_id) AS n FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid
       WHERE chunks_fts MATCH ? AND c.collection_id IN (${inList})`,
    );
    for (const t of unique) df.set(t, (count.get(ftsTerm(t), ...collectionIds) as { n: number }).n);
    return { documents: n, df };
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
