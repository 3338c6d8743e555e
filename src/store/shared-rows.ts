/**
 * Row-to-model pieces that are the same for every adapter (column names and JSON text are shared
 * by the SQLite and PostgreSQL schemas).
 */
import type { Feedback } from './privacy-spec.js';
import type { ChunkWithDocument, StoredChunk, StoredDocument } from './spec.js';

/** A JSON array kept as text; anything unreadable reads as empty. */
export function jsonArray(raw: unknown): unknown[] {
  try {
    const v: unknown = JSON.parse(String(raw));
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

export const toFeedback = (r: any): Feedback => ({
  id: r.id,
  messageId: r.message_id,
  orgId: r.org_id,
  userId: r.user_id,
  rating: r.rating,
  tags: jsonArray(r.tags).filter((t): t is string => typeof t === 'string'),
  comment: r.comment,
  createdAt: r.created_at,
});

/** Chunks with their documents, in the order of the ids asked (missing ones left out). */
export function attachDocuments(
  chunkIds: string[],
  chunks: StoredChunk[],
  documents: StoredDocument[],
): ChunkWithDocument[] {
  const docs = new Map(documents.map((d) => [d.id, d]));
  const byId = new Map(chunks.map((c) => [c.id, c]));
  return chunkIds
    .map((id) => byId.get(id))
    .filter((c): c is StoredChunk => !!c && docs.has(c.documentId))
    .map((c) => ({ ...c, document: docs.get(c.documentId)! }));
}
