import type { Collection, StoredChunk, StoredDocument } from '../spec.js';

// `pg` parses JSON columns and returns BIGINT as a string: chunk ids are the rowid in decimal,
// exactly like the SQLite adapter's.

export function toCollection(r: any): Collection {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    description: r.description,
    visibility: r.visibility,
    builtin: r.builtin === true,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toDocument(r: any): StoredDocument {
  return {
    id: r.id,
    collectionId: r.collection_id,
    externalId: r.external_id,
    title: r.title,
    description: r.description,
    url: r.url,
    kind: r.kind,
    audience: r.audience,
    breadcrumb: r.breadcrumb,
    date: r.date,
    hash: r.hash,
    metadata: r.metadata,
    chunkCount: r.chunk_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toChunk(r: any): StoredChunk {
  return {
    id: String(r.rowid),
    documentId: r.document_id,
    collectionId: r.collection_id,
    ordinal: r.ordinal,
    path: r.path,
    text: r.text,
    tokens: r.tokens,
  };
}

export const DOC_COLUMNS =
  'id, collection_id, external_id, title, description, url, kind, audience, breadcrumb, date, hash, metadata, chunk_count, created_at, updated_at';
export const CHUNK_COLUMNS = 'rowid, document_id, collection_id, ordinal, path, text, tokens';
