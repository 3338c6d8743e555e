/**
 * Everything CPU-heavy that an uploaded file goes through before it is stored: parsing by content,
 * sections → chunks, French analysis of every chunk. Pure (bytes in, `DocumentInput` out), so that
 * it runs in a worker thread (see `pool.ts`); the store write stays on the main thread.
 */
import { createHash } from 'node:crypto';
import { toDocumentInput } from '../index-document.js';
import type { SourceDocument } from '../model.js';
import { parseFile } from '../sources/files/index.js';
import { stripUnsafeDeep } from '../../shared/text-safety.js';
import type { DocumentInput } from '../../store/spec.js';

export interface PrepareTask {
  bytes: Uint8Array;
  fileName: string;
  /** The name the document is known by in its collection (a relative path in a folder upload). */
  externalId: string;
  maxBytes: number;
  chunkTokens: number;
  collectionId: string;
  collectionName: string;
  hash: string;
  userMetadata: Record<string, unknown>;
}

export interface Prepared {
  input: DocumentInput;
  warnings: string[];
}

export async function prepareDocument(t: PrepareTask): Promise<Prepared> {
  const bytes = Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const parsed = await parseFile({ bytes, fileName: t.fileName, maxBytes: t.maxBytes });
  const user = t.userMetadata;
  const source: SourceDocument = {
    externalId: t.externalId,
    title: parsed.title || t.fileName,
    description: typeof user.description === 'string' ? user.description.slice(0, 500) : '',
    url: null,
    kind: 'document-local',
    audience: null,
    breadcrumb: [t.collectionName],
    date: typeof user.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(user.date) ? user.date : null,
    markdown: parsed.markdown,
    sections: parsed.sections,
    metadata: {
      ...parsed.metadata,
      ...(t.externalId !== t.fileName ? { path: t.externalId } : {}),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      warnings: parsed.warnings,
      user,
    },
  };
  const input = toDocumentInput(source, {
    collectionId: t.collectionId,
    hash: t.hash,
    chunkTokens: t.chunkTokens,
  });
  // A file may hold NUL characters or broken UTF-16: no engine stores them (PostgreSQL: an error).
  return { input: stripUnsafeDeep(input), warnings: parsed.warnings };
}
