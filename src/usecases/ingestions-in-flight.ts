/**
 * Uploads being parsed in this process, by collection and document name, so that deleting the
 * document (or its collection) meanwhile stops its parsing: the deleted document does not come
 * back when the parser finishes, and the worker is freed at once.
 */
const inFlight = new Map<string, Set<{ externalId: string; controller: AbortController }>>();

/** Registers an upload; returns its signal and the function to call when it is over. */
export function trackIngestion(
  collectionId: string,
  externalId: string,
): { signal: AbortSignal; done(): void } {
  const entry = { externalId, controller: new AbortController() };
  let set = inFlight.get(collectionId);
  if (!set) inFlight.set(collectionId, (set = new Set()));
  set.add(entry);
  return {
    signal: entry.controller.signal,
    done() {
      set.delete(entry);
      if (!set.size) inFlight.delete(collectionId);
    },
  };
}

/** Stops the uploads into a collection (all of them, or those of one document name). */
export function cancelIngestions(collectionId: string, externalId?: string): number {
  let n = 0;
  for (const entry of inFlight.get(collectionId) ?? []) {
    if (externalId !== undefined && entry.externalId !== externalId) continue;
    entry.controller.abort(new Error('deleted'));
    n++;
  }
  return n;
}
