import { createHash } from 'node:crypto';
import { ANALYZER_VERSION } from './analyze/french.js';
import { chunkSections } from './chunk/chunk.js';
import type { SourceDocument } from './model.js';
import { lexicalFields } from './search/fields.js';
import type { DocumentInput } from '../store/spec.js';

/**
 * The version of everything that shapes the index (analyzer, chunking, fields): part of each
 * document's hash, so that changing it re-indexes everything on the next ingestion.
 */
export function indexVersion(chunkTokens: number): string {
  return `a${ANALYZER_VERSION}-c${chunkTokens}-f4`;
}

export function contentHash(bytes: Buffer | string, version: string, anchors: string[] = []): string {
  const h = createHash('sha256').update(version).update('\0').update(bytes);
  // The anchors of links to a publication are indexed with it: when they change, it is re-indexed.
  if (anchors.length) h.update('\0anchors\0').update(anchors.join('\n'));
  return h.digest('hex');
}

/** The anchors a document was indexed with (kept in its metadata by `toDocumentInput`). */
export function anchorsOf(metadata: unknown): string[] {
  const a = (metadata as { anchors?: unknown } | null)?.anchors;
  return Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : [];
}

/** Turns a parsed document into what the store indexes: chunks with their analyzed fields. */
export function toDocumentInput(
  doc: SourceDocument,
  options: { collectionId: string; hash: string; chunkTokens: number; anchors?: string[] },
): DocumentInput {
  const chunks = chunkSections(doc.sections, { targetTokens: options.chunkTokens });
  return {
    collectionId: options.collectionId,
    externalId: doc.externalId,
    title: doc.title,
    description: doc.description,
    url: doc.url,
    kind: doc.kind,
    audience: doc.audience,
    breadcrumb: doc.breadcrumb,
    date: doc.date,
    markdown: doc.markdown,
    hash: options.hash,
    // Anchors are kept with the document so that a copy to another store (migrate-store) rebuilds
    // the very same fields.
    metadata: options.anchors?.length ? { ...doc.metadata, anchors: options.anchors } : doc.metadata,
    chunks: chunks.map((c) => ({ ...c, lexical: lexicalFields(doc, c, options.anchors) })),
  };
}
