import { CHUNK_COLUMNS, DOC_COLUMNS, documentValues, newId, toChunk, toDocument } from '../shared-rows.js';
import type { DocumentInput, DocumentRepo, StoredChunk, StoredDocument } from '../spec.js';
import { lockLexicalStats, mapForeignKey, withTx, type Client, type Pool } from './db.js';
import { postingsOf } from '../lexical/bm25.js';
import { insertPostings } from './lexical.js';

/**
 * Deletes chunks matching a condition (on `chunks`) with their postings; vectors follow by cascade.
 * Postings go first in one statement so the statistics trigger runs once, not once per chunk.
 */
export async function deleteChunksWhere(c: Client, where: string, params: unknown[]): Promise<void> {
  await c.query(
    `DELETE FROM lexical_postings WHERE chunk_rowid IN (SELECT rowid FROM chunks WHERE ${where})`,
    params,
  );
  await c.query(`DELETE FROM chunks WHERE ${where}`, params);
}

export class PostgresDocuments implements DocumentRepo {
  constructor(private readonly pool: Pool) {}

  async put(input: DocumentInput): Promise<StoredDocument> {
    const id = await withTx(this.pool, async (c) => {
      await lockLexicalStats(c);
      return this.putOne(c, input);
    });
    return (await this.get(id))!;
  }

  async putMany(inputs: DocumentInput[]): Promise<void> {
    if (inputs.length === 0) return;
    await withTx(this.pool, async (c) => {
      await lockLexicalStats(c);
      for (const input of inputs) await this.putOne(c, input);
    });
  }

  private async putOne(c: Client, input: DocumentInput): Promise<string> {
    const now = new Date().toISOString();
    const existing = (
      await c.query<{ id: string }>(
        'SELECT id FROM documents WHERE collection_id = $1 AND external_id = $2 FOR UPDATE',
        [input.collectionId, input.externalId],
      )
    ).rows[0];
    const docId = existing?.id ?? newId('doc');
    const values = [...documentValues(docId, input), now];
    try {
      if (existing) {
        await deleteChunksWhere(c, 'document_id = $1', [docId]);
        await c.query(
          `UPDATE documents SET collection_id = $2, external_id = $3, title = $4, description = $5, url = $6, kind = $7,
             audience = $8, breadcrumb = $9, date = $10, hash = $11, metadata = $12, markdown = $13, chunk_count = $14,
             updated_at = $15 WHERE id = $1`,
          values,
        );
      } else {
        await c.query(
          `INSERT INTO documents (id, collection_id, external_id, title, description, url, kind, audience, breadcrumb,
             date, hash, metadata, markdown, chunk_count, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
          values,
        );
      }
    } catch (e) {
      throw mapForeignKey(e, input.collectionId);
    }
    await this.insertChunks(c, docId, input);
    return docId;
  }

  private async insertChunks(c: Client, docId: string, input: DocumentInput): Promise<void> {
    const n = input.chunks.length;
    if (n === 0) return;
    const ids = (
      await c.query<{ id: string }>(
        `SELECT nextval(pg_get_serial_sequence('chunks', 'rowid'))::text AS id FROM generate_series(1, $1)`,
        [n],
      )
    ).rows.map((r) => r.id);
    const postings = input.chunks.map((ch) => postingsOf(ch.lexical));
    await c.query(
      `INSERT INTO chunks (rowid, document_id, collection_id, ordinal, path, text, tokens, lexical_length)
       SELECT r, $1, $2, o, p::json, t, k, l
       FROM unnest($3::bigint[], $4::int[], $5::text[], $6::text[], $7::int[], $8::int[]) AS u(r, o, p, t, k, l)`,
      [
        docId,
        input.collectionId,
        ids,
        input.chunks.map((ch) => ch.ordinal),
        input.chunks.map((ch) => JSON.stringify(ch.path)),
        input.chunks.map((ch) => ch.text),
        input.chunks.map((ch) => ch.tokens),
        postings.map((p) => p.length),
      ],
    );
    await insertPostings(
      c,
      input.collectionId,
      ids.map((rowid, i) => ({ rowid, postings: postings[i] })),
    );
  }

  async get(id: string): Promise<StoredDocument | null> {
    const { rows } = await this.pool.query(`SELECT ${DOC_COLUMNS} FROM documents WHERE id = $1`, [id]);
    return rows[0] ? toDocument(rows[0]) : null;
  }

  async getByExternalId(collectionId: string, externalId: string): Promise<StoredDocument | null> {
    const { rows } = await this.pool.query(
      `SELECT ${DOC_COLUMNS} FROM documents WHERE collection_id = $1 AND external_id = $2`,
      [collectionId, externalId],
    );
    return rows[0] ? toDocument(rows[0]) : null;
  }

  async findByHash(collectionId: string, hash: string): Promise<StoredDocument | null> {
    const { rows } = await this.pool.query(
      `SELECT ${DOC_COLUMNS} FROM documents WHERE collection_id = $1 AND hash = $2 LIMIT 1`,
      [collectionId, hash],
    );
    return rows[0] ? toDocument(rows[0]) : null;
  }

  async list(collectionId: string, page = { limit: 100, offset: 0 }): Promise<StoredDocument[]> {
    const { rows } = await this.pool.query(
      `SELECT ${DOC_COLUMNS} FROM documents WHERE collection_id = $1 ORDER BY external_id LIMIT $2 OFFSET $3`,
      [collectionId, Math.max(0, Math.floor(page.limit)), Math.max(0, Math.floor(page.offset))],
    );
    return rows.map(toDocument);
  }

  async count(collectionId?: string): Promise<number> {
    const { rows } = collectionId
      ? await this.pool.query('SELECT count(*)::int AS n FROM documents WHERE collection_id = $1', [
          collectionId,
        ])
      : await this.pool.query('SELECT count(*)::int AS n FROM documents');
    return rows[0].n;
  }

  async hashes(collectionId: string): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ external_id: string; hash: string }>(
      'SELECT external_id, hash FROM documents WHERE collection_id = $1',
      [collectionId],
    );
    return new Map(rows.map((r) => [r.external_id, r.hash]));
  }

  async markdown(id: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ markdown: string }>(
      'SELECT markdown FROM documents WHERE id = $1',
      [id],
    );
    return rows[0] ? rows[0].markdown : null;
  }

  async chunks(documentId: string): Promise<StoredChunk[]> {
    const { rows } = await this.pool.query(
      `SELECT ${CHUNK_COLUMNS} FROM chunks WHERE document_id = $1 ORDER BY ordinal, rowid`,
      [documentId],
    );
    return rows.map(toChunk);
  }

  async delete(id: string): Promise<void> {
    await withTx(this.pool, async (c) => {
      await lockLexicalStats(c);
      await deleteChunksWhere(c, 'document_id = $1', [id]);
      await c.query('DELETE FROM documents WHERE id = $1', [id]);
    });
  }

  async deleteMissing(collectionId: string, keep: Set<string>): Promise<number> {
    return withTx(this.pool, async (c) => {
      await lockLexicalStats(c);
      const gone = (
        await c.query<{ id: string }>(
          'SELECT id FROM documents WHERE collection_id = $1 AND NOT (external_id = ANY($2::text[]))',
          [collectionId, [...keep]],
        )
      ).rows.map((r) => r.id);
      if (gone.length === 0) return 0;
      await deleteChunksWhere(c, 'document_id = ANY($1::text[])', [gone]);
      await c.query('DELETE FROM documents WHERE id = ANY($1::text[])', [gone]);
      return gone.length;
    });
  }
}
