/**
 * Reading and removing documents, scoped like collections: a document of a collection the caller
 * cannot read is "not found"; removing needs a collection of the caller's own organisation.
 */
import { cancelIngestions } from './ingestions-in-flight.js';
import { AppError } from '../shared/errors.js';
import type { Store, StoredChunk, StoredDocument } from '../store/spec.js';
import { getReadableCollection, getWritableCollection } from './manage-collections.js';
import { canRead } from './visible-collections.js';

export const MAX_PAGE = 1000;

export async function listDocuments(o: {
  store: Store;
  orgId: string;
  collectionId: string;
  limit?: number;
  offset?: number;
}): Promise<{ documents: StoredDocument[]; total: number }> {
  const c = await getReadableCollection({ store: o.store, orgId: o.orgId, id: o.collectionId });
  const limit = Math.min(Math.max(1, o.limit ?? 100), MAX_PAGE);
  const offset = Math.max(0, o.offset ?? 0);
  const [documents, total] = await Promise.all([
    o.store.documents.list(c.id, { limit, offset }),
    o.store.documents.count(c.id),
  ]);
  return { documents, total };
}

async function readableDocument(store: Store, orgId: string, id: string): Promise<StoredDocument> {
  const d = await store.documents.get(id);
  const c = d ? await store.collections.get(d.collectionId) : null;
  if (!d || !c || !canRead(c, orgId))
    throw new AppError('not_found', `Document introuvable : ${id}`, { param: 'id' });
  return d;
}

export async function getDocument(o: {
  store: Store;
  orgId: string;
  id: string;
}): Promise<{ document: StoredDocument; markdown: string; chunks: StoredChunk[] }> {
  const document = await readableDocument(o.store, o.orgId, o.id);
  const [markdown, chunks] = await Promise.all([
    o.store.documents.markdown(document.id),
    o.store.documents.chunks(document.id),
  ]);
  return { document, markdown: markdown ?? '', chunks };
}

/** Removes the document with its chunks and vectors from every search path. */
export async function deleteDocument(o: {
  store: Store;
  orgId: string;
  id: string;
}): Promise<StoredDocument> {
  const document = await readableDocument(o.store, o.orgId, o.id);
  await getWritableCollection({ store: o.store, orgId: o.orgId, id: document.collectionId });
  // A new version being parsed would bring the document back: it is stopped.
  cancelIngestions(document.collectionId, document.externalId);
  await o.store.documents.delete(document.id);
  return document;
}
