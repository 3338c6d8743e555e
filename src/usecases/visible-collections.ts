import { AppError } from '../shared/errors.js';
import type { Collection, Store } from '../store/spec.js';

/** A collection an organisation may read: its own, or one shared with all / public. */
export function canRead(collection: Collection, orgId: string): boolean {
  return collection.orgId === orgId || collection.visibility !== 'private';
}

/** Default search scope of an organisation: the national corpus, its own and shared collections. */
export async function defaultCollectionsFor(store: Store, orgId: string): Promise<string[]> {
  const all = await store.collections.list({ orgId, includeShared: true });
  return all.filter((c) => canRead(c, orgId)).map((c) => c.id);
}

/** Unknown and foreign collections get the same 404, so ids cannot be probed. */
export async function assertReadableCollections(store: Store, ids: string[], orgId: string): Promise<void> {
  for (const id of ids) {
    const c = await store.collections.get(id);
    if (!c || !canRead(c, orgId)) {
      throw new AppError('not_found', `Collection introuvable : ${id}`, { param: 'collections' });
    }
  }
}
