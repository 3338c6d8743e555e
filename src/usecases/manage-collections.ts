/**
 * An organisation's collections: create, list, read, update, delete. Scoped to the caller's
 * organisation: a private collection of another organisation is invisible (same 404 as an unknown
 * id); the built-in national collection and collections shared by others are readable, not writable.
 */
import { cancelIngestions } from './ingestions-in-flight.js';
import { AppError } from '../shared/errors.js';
import type { Collection, Store, Visibility } from '../store/spec.js';
import { canRead } from './visible-collections.js';

export interface CollectionView extends Collection {
  documentCount: number;
  /** Whether the caller's organisation may change it (rename, delete, add documents). */
  writable: boolean;
}

/** Visibilities an organisation may choose; `public` is reserved to the built-in corpus. */
export type OrgVisibility = Extract<Visibility, 'private' | 'shared'>;

const NAME_MAX = 200;
const DESCRIPTION_MAX = 2000;

function checkName(name: string): string {
  const n = name.trim();
  if (!n)
    throw new AppError('invalid_request', 'Le nom de la collection est obligatoire.', { param: 'name' });
  if (n.length > NAME_MAX) {
    throw new AppError('invalid_request', `Le nom de la collection dépasse ${NAME_MAX} caractères.`, {
      param: 'name',
    });
  }
  return n;
}

function checkDescription(description: string): string {
  if (description.length > DESCRIPTION_MAX) {
    throw new AppError('invalid_request', `La description dépasse ${DESCRIPTION_MAX} caractères.`, {
      param: 'description',
    });
  }
  return description.trim();
}

function writable(c: Collection, orgId: string): boolean {
  return !c.builtin && c.orgId === orgId;
}

async function view(store: Store, c: Collection, orgId: string): Promise<CollectionView> {
  return { ...c, documentCount: await store.documents.count(c.id), writable: writable(c, orgId) };
}

/** A collection the organisation may read, or the same 404 whether it is unknown or foreign. */
export async function getReadableCollection(o: {
  store: Store;
  orgId: string;
  id: string;
}): Promise<Collection> {
  const c = await o.store.collections.get(o.id);
  if (!c || !canRead(c, o.orgId))
    throw new AppError('not_found', `Collection introuvable : ${o.id}`, { param: 'collection' });
  return c;
}

/** A collection the organisation may change: readable (else 404) and its own, not built-in (else 403). */
export async function getWritableCollection(o: {
  store: Store;
  orgId: string;
  id: string;
}): Promise<Collection> {
  const c = await getReadableCollection(o);
  if (c.builtin) {
    throw new AppError(
      'forbidden',
      `La collection « ${c.name} » est la collection nationale intégrée : elle est en lecture seule.`,
      { param: 'collection' },
    );
  }
  if (c.orgId !== o.orgId) {
    throw new AppError(
      'forbidden',
      `La collection « ${c.name} » appartient à une autre organisation : elle est en lecture seule pour vous.`,
      { param: 'collection' },
    );
  }
  return c;
}

export async function createCollection(o: {
  store: Store;
  orgId: string;
  name: string;
  description?: string;
  visibility?: OrgVisibility;
}): Promise<CollectionView> {
  const c = await o.store.collections.create({
    orgId: o.orgId,
    name: checkName(o.name),
    description: checkDescription(o.description ?? ''),
    visibility: o.visibility ?? 'private',
  });
  return view(o.store, c, o.orgId);
}

/** The collections the organisation can read: the national corpus, its own, those shared with all. */
export async function listCollections(o: { store: Store; orgId: string }): Promise<CollectionView[]> {
  const all = await o.store.collections.list({ orgId: o.orgId, includeShared: true });
  return Promise.all(all.filter((c) => canRead(c, o.orgId)).map((c) => view(o.store, c, o.orgId)));
}

export async function getCollection(o: { store: Store; orgId: string; id: string }): Promise<CollectionView> {
  return view(o.store, await getReadableCollection(o), o.orgId);
}

export async function updateCollection(o: {
  store: Store;
  orgId: string;
  id: string;
  patch: { name?: string; description?: string; visibility?: OrgVisibility };
}): Promise<CollectionView> {
  await getWritableCollection(o);
  const patch: Partial<Pick<Collection, 'name' | 'description' | 'visibility'>> = {};
  if (o.patch.name !== undefined) patch.name = checkName(o.patch.name);
  if (o.patch.description !== undefined) patch.description = checkDescription(o.patch.description);
  if (o.patch.visibility !== undefined) patch.visibility = o.patch.visibility;
  return view(o.store, await o.store.collections.update(o.id, patch), o.orgId);
}

/** Deletes the collection with all its documents, chunks and vectors. */
export async function deleteCollection(o: { store: Store; orgId: string; id: string }): Promise<Collection> {
  const c = await getWritableCollection(o);
  cancelIngestions(c.id); // uploads still being parsed into it are stopped
  await o.store.collections.delete(c.id);
  return c;
}
