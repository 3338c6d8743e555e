import { CHUNK_COLUMNS, DOC_COLUMNS, documentValues, newId, toChunk, toDocument } from '../shared-rows.js';
import type { DocumentInput, DocumentRepo, StoredChunk, StoredDocument } from '../spec.js';
import type { Db } from './open.js';
import { lexicalLength } from '../lexical/bm25.js';
import { vectorTableExists } from './vectors.js';

/** Deletes chunks matching a condition from the chunk table, the FTS index and the vector table. */
export function deleteChunksWhere(db: Db, where: string, params: unknown[]): void {
  const rows = db.prepare(`SELECT rowid FROM chunks WHERE ${where}`).all(...params) as { rowid: number }[];
  if (rows.length === 0) return;
  const delFts = db.prepare('DELETE FROM chunks_fts WHERE rowid = ?');
  const hasVec = vectorTableExists(db);
  const delVec = hasVec ? db.prepare('DELETE FROM chunk_vectors WHERE chunk_rowid = ?') : null;
  for (const { rowid } of rows) {
    delFts.run(rowid);
    delVec?.run(BigInt(rowid));
  }
  db.prepare(`DELETE FROM chunks WHERE ${where}`).run(...params);
}

export class SqliteDocuments implements DocumentRepo {
  private readonly insertChunk;
  private readonly insertFts;

  constructor(private readonly db: Db) {
    this.insertChunk = db.prepare(
      `INSERT INTO chunks (document_id, collection_id, ordinal, path, text, tokens, lexical_length)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertFts = db.prepare('INSERT INTO chunks_fts (rowid, title, headings, body) VALUES (?, ?, ?, ?)');
  }

  async put(input: DocumentInput): Promise<StoredDocument> {
    const id = this.putSync(input);
    return (await this.get(id))!;
  }

  /** Runs many puts in one transaction (much faster for bulk ingestion). */
  async putMany(inputs: DocumentInput[]): Promise<void> {
    this.db.transaction(() => {
      for (const input of inputs) this.putSync(input);
    })();
  }

  private putSync(input: DocumentInput): string {
    const now = new Date().toISOString();
    return this.db.transaction(() => {
      const existing = this.db
        .prepare('SELECT id, created_at FROM documents WHERE collection_id = ? AND external_id = ?')
        .get(input.collectionId, input.externalId) as { id: string; created_at: string } | undefined;
      const docId = existing?.id ?? newId('doc');
      if (existing) {
        deleteChunksWhere(this.db, 'document_id = ?', [docId]);
        this.db.prepare('DELETE FROM documents WHERE id = ?').run(docId);
      }
      this.db
        .prepare(
          `INSERT INTO documents (id, collection_id, external_id, title, description, url, kind, audience, breadcrumb,
             date, hash, metadata, markdown, chunk_count, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...documentValues(docId, input), existing?.created_at ?? now, now);
      for (const c of input.chunks) {
        const info = this.insertChunk.run(
          docId,
          input.collectionId,
          c.ordinal,
          JSON.stringify(c.path),
          c.text,
          c.tokens,
          lexicalLength(c.lexical),
        );
        this.insertFts.run(info.lastInsertRowid, c.lexical.title, c.lexical.headings, c.lexical.body);
      }
      return docId;
    })();
  }

  async get(id: string): Promise<StoredDocument | null> {
    const r = this.db.prepare(`SELECT ${DOC_COLUMNS} FROM documents WHERE id = ?`).get(id);
    return r ? toDocument(r) : null;
  }

  async getByExternalId(collectionId: string, externalId: string): Promise<StoredDocument | null> {
    const r = this.db
      .prepare(`SELECT ${DOC_COLUMNS} FROM documents WHERE collection_id = ? AND external_id = ?`)
      .get(collectionId, externalId);
    return r ? toDocument(r) : null;
  }

  async findByHash(collectionId: string, hash: string): Promise<StoredDocument | null> {
    const r = this.db
      .prepare(`SELECT ${DOC_COLUMNS} FROM documents WHERE collection_id = ? AND hash = ? LIMIT 1`)
      .get(collectionId, hash);
    return r ? toDocument(r) : null;
  }

  async list(collectionId: string, page = { limit: 100, offset: 0 }): Promise<StoredDocument[]> {
    return this.db
      .prepare(
        `SELECT ${DOC_COLUMNS} FROM documents WHERE collection_id = ? ORDER BY external_id LIMIT ? OFFSET ?`,
      )
      .all(collectionId, page.limit, page.offset)
      .map(toDocument);
  }

  async count(collectionId?: string): Promise<number> {
    const r = (
      collectionId
        ? this.db.prepare('SELECT COUNT(*) AS n FROM documents WHERE collection_id = ?').get(collectionId)
        : this.db.prepare('SELECT COUNT(*) AS n FROM documents').get()
    ) as { n: number };
    return r.n;
  }

  async hashes(collectionId: string): Promise<Map<string, string>> {
    const rows = this.db
      .prepare('SELECT external_id, hash FROM documents WHERE collection_id = ?')
      .all(collectionId) as { external_id: string; hash: string }[];
    return new Map(rows.map((r) => [r.external_id, r.hash]));
  }

  async markdown(id: string): Promise<string | null> {
    const r = this.db.prepare('SELECT markdown FROM documents WHERE id = ?').get(id) as
      { markdown: string } | undefined;
    return r ? r.markdown : null;
  }

  async chunks(documentId: string): Promise<StoredChunk[]> {
    return this.db
      .prepare(`SELECT ${CHUNK_COLUMNS} FROM chunks WHERE document_id = ? ORDER BY ordinal`)
      .all(documentId)
      .map(toChunk);
  }

  async delete(id: string): Promise<void> {
    this.db.transaction(() => {
      deleteChunksWhere(this.db, 'document_id = ?', [id]);
      this.db.prepare('DELETE FROM documents WHERE id = ?').run(id);
    })();
  }

  async deleteMissing(collectionId: string, keep: Set<string>): Promise<number> {
    const rows = this.db
      .prepare('SELECT id, external_id FROM documents WHERE collection_id = ?')
      .all(collectionId) as { id: string; external_id: string }[];
    const gone = rows.filter((r) => !keep.has(r.external_id));
    for (const r of gone) await this.delete(r.id);
    return gone.length;
  }
}
