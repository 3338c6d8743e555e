/**
 * The loop shared by the built-in national collections (service-public.fr, travail-emploi): each
 * source item is skipped when its content hash is unchanged, parsed into a `DocumentInput`
 * otherwise (written in batches, one transaction each: a crash loses at most the batch under way),
 * and documents no longer in the source are deleted. What differs between sources (how an item is
 * read and hashed, what is reported about each change) stays with each source.
 */
import { timeSlicer } from '../store/lexical/lexical-cache.js';
import type { DocumentInput, Store } from '../store/spec.js';

/**
 * Documents written per transaction. A SQLite write runs on the event loop (~3 ms per publication
 * with its chunks, full-text index and triggers): 200 at once held `guichet serve` ~0.6 s while it
 * indexed on first start or applied a large DILA refresh; 12 keep each write near 40 ms.
 */
export const BUILTIN_BATCH = 12;
/** Parsing and analysis between two turns of the event loop (the loop serves requests in between). */
export const SLICE_MS = 10;

export const PLATFORM_ORG = 'platform';

/** The counts every ingestion of a built-in collection reports. */
export interface BuiltinSummary {
  source: string;
  total: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  failed: { id: string; message: string }[];
  durationMs: number;
}

export interface BuiltinItem {
  id: string;
  /** The content hash (source bytes + index version): unchanged items are skipped. */
  hash: string;
  /** Parses the item; a thrown error (or a `problem`) is reported and the item skipped. */
  parse(): DocumentInput;
  /** Why the item cannot be read at all (it is then reported without being parsed). */
  problem?: string;
}

/** Makes sure a built-in collection exists (read-only, public, owned by the platform). */
export async function ensureBuiltinCollection(
  store: Store,
  c: { id: string; name: string; description: string },
): Promise<void> {
  if (await store.collections.get(c.id)) return;
  await store.collections.create({ ...c, orgId: PLATFORM_ORG, visibility: 'public', builtin: true });
}

export async function ingestBuiltin(o: {
  store: Store;
  collectionId: string;
  source: string;
  items: Iterable<BuiltinItem> | AsyncIterable<BuiltinItem>;
  /** Items announced by the source (for the progress). */
  expected: number;
  /** How an item is named in a French warning (« Publication », « Fiche »). */
  noun: string;
  batchSize?: number;
  onProgress?: (p: { done: number; total: number }) => void;
  onWarning?: (message: string) => void;
  /** Called for each item added or updated, before it is written. */
  onChange?: (input: DocumentInput, previousHash: string | undefined) => Promise<void> | void;
  signal?: AbortSignal;
}): Promise<{ summary: BuiltinSummary; seen: Set<string>; known: Map<string, string> }> {
  const known = await o.store.documents.hashes(o.collectionId);
  const batchSize = o.batchSize ?? BUILTIN_BATCH;
  const turn = timeSlicer(SLICE_MS);
  const summary: BuiltinSummary = {
    source: o.source,
    total: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    failed: [],
    durationMs: 0,
  };
  const fail = (id: string, message: string) => {
    summary.failed.push({ id, message });
    o.onWarning?.(`${o.noun} ${id} ignorée : ${message}`);
  };
  const seen = new Set<string>();
  let batch: DocumentInput[] = [];
  const flush = async () => {
    if (batch.length) await o.store.documents.putMany(batch);
    batch = [];
  };
  for await (const item of o.items) {
    o.signal?.throwIfAborted();
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    summary.total++;
    const previous = known.get(item.id);
    if (previous === item.hash) summary.unchanged++;
    else if (item.problem) fail(item.id, item.problem);
    else {
      try {
        const input = item.parse();
        await o.onChange?.(input, previous);
        batch.push(input);
        if (previous) summary.updated++;
        else summary.added++;
      } catch (e) {
        fail(item.id, (e as Error).message);
      }
      if (batch.length >= batchSize) await flush();
    }
    o.onProgress?.({ done: summary.total, total: o.expected });
    await turn();
  }
  await flush();
  // `removed` and `durationMs` are set by `finishBuiltin`, once the caller's own steps are done.
  return { summary, seen, known };
}

/** Deletes what the source no longer has and closes the summary. */
export async function finishBuiltin(
  store: Store,
  collectionId: string,
  r: { summary: BuiltinSummary; seen: Set<string> },
  started: number,
): Promise<void> {
  r.summary.removed = await store.documents.deleteMissing(collectionId, r.seen);
  r.summary.durationMs = Math.round(performance.now() - started);
}
