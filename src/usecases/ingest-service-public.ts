import { timeSlicer } from '../store/lexical/lexical-cache.js';
import type { Store } from '../store/spec.js';
import { contentHash, indexVersion, toDocumentInput } from '../knowledge/index-document.js';
import {
  ensureBuiltinCollection,
  finishBuiltin,
  ingestBuiltin,
  PLATFORM_ORG,
  SLICE_MS,
  type BuiltinSummary,
} from './ingest-builtin.js';
import {
  openServicePublicSource,
  parsePublication,
  type ServicePublicSource,
} from '../knowledge/sources/service-public/index.js';
import { AnchorIndex } from '../knowledge/search/anchors.js';

export const SERVICE_PUBLIC_COLLECTION = 'service-public';
export { PLATFORM_ORG };

export interface IngestProgress {
  done: number;
  total: number;
}

/** One publication added, updated or removed by an ingestion (the change report). */
export interface PublicationChange {
  id: string;
  title: string;
  /** The publication's own date (last modification), when known. */
  date: string | null;
  change: 'added' | 'updated' | 'removed';
  /** For an update: the date of the version it replaced. */
  previous_date?: string | null;
}

/** At most this many changes are listed (counts stay exact). */
export const MAX_LISTED_CHANGES = 1000;

export interface IngestSummary extends BuiltinSummary {
  /** Added, updated and removed publications, newest first (at most MAX_LISTED_CHANGES). */
  changes: PublicationChange[];
  /** True when more changes happened than are listed. */
  changesTruncated: boolean;
}

export interface IngestServicePublicOptions {
  store: Store;
  /** A zip, a folder, an opened source; absent = the built-in package. */
  source?: string | ServicePublicSource;
  chunkTokens: number;
  batchSize?: number;
  onProgress?: (p: IngestProgress) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

/** Makes sure the built-in national collection exists (read-only, public). */
export async function ensureServicePublicCollection(store: Store): Promise<void> {
  await ensureBuiltinCollection(store, {
    id: SERVICE_PUBLIC_COLLECTION,
    name: 'Service-Public.fr',
    description: 'Fiches « Vos droits et démarches » de service-public.fr (DILA), corpus national intégré.',
  });
}

/**
 * First pass over the corpus: the visible text of every link to a publication (its anchors), indexed
 * with the publication it points to. A publication that cannot be parsed is reported by the second pass.
 */
async function collectAnchors(source: ServicePublicSource, signal?: AbortSignal): Promise<AnchorIndex> {
  const anchors = new AnchorIndex();
  const seen = new Set<string>();
  const turn = timeSlicer(SLICE_MS);
  for await (const raw of source.entries()) {
    signal?.throwIfAborted();
    if (seen.has(raw.externalId)) continue;
    seen.add(raw.externalId);
    try {
      anchors.add(raw.externalId, parsePublication(raw).markdown);
    } catch {
      // Reported when the publication itself is indexed.
    }
    // `guichet serve` indexes on first start and refreshes daily: requests are served in between.
    await turn();
  }
  return anchors;
}

/**
 * Ingests the service-public.fr corpus: idempotent (unchanged publications are skipped by content
 * hash) and resumable (each batch is one transaction; a crash loses at most the batch under way,
 * which the next run redoes).
 */
export async function ingestServicePublic(o: IngestServicePublicOptions): Promise<IngestSummary> {
  const started = performance.now();
  const source = typeof o.source === 'object' ? o.source : await openServicePublicSource(o.source);
  await ensureServicePublicCollection(o.store);
  const version = indexVersion(o.chunkTokens);
  const changes: PublicationChange[] = [];
  let truncated = false;
  const listChange = async (c: PublicationChange) => {
    if (changes.length >= MAX_LISTED_CHANGES) {
      truncated = true;
      return;
    }
    if (c.change === 'updated') {
      const before = await o.store.documents.getByExternalId(SERVICE_PUBLIC_COLLECTION, c.id);
      c.previous_date = before?.date ?? null;
    }
    changes.push(c);
  };
  const anchors = await collectAnchors(source, o.signal);
  let latestDate = (await o.store.meta.get('service_public.latest_date')) ?? '';
  async function* items() {
    for await (const raw of source.entries()) {
      const hash = contentHash(raw.bytes, version, anchors.of(raw.externalId));
      yield {
        id: raw.externalId,
        hash,
        parse: () =>
          toDocumentInput(parsePublication(raw), {
            collectionId: SERVICE_PUBLIC_COLLECTION,
            hash,
            chunkTokens: o.chunkTokens,
            anchors: anchors.of(raw.externalId),
          }),
      };
    }
  }
  const r = await ingestBuiltin({
    store: o.store,
    collectionId: SERVICE_PUBLIC_COLLECTION,
    source: source.description,
    items: items(),
    expected: source.count,
    noun: 'Publication',
    batchSize: o.batchSize,
    onProgress: o.onProgress,
    onWarning: o.onWarning,
    signal: o.signal,
    onChange: async (doc, previous) => {
      if (doc.date && doc.date > latestDate && doc.date <= new Date().toISOString()) latestDate = doc.date;
      await listChange({
        id: doc.externalId,
        title: doc.title,
        date: doc.date,
        change: previous ? 'updated' : 'added',
      });
    },
  });
  for (const id of r.known.keys()) {
    if (r.seen.has(id)) continue;
    if (changes.length >= MAX_LISTED_CHANGES) {
      truncated = true;
      break;
    }
    const gone = await o.store.documents.getByExternalId(SERVICE_PUBLIC_COLLECTION, id);
    await listChange({ id, title: gone?.title ?? id, date: gone?.date ?? null, change: 'removed' });
  }
  await finishBuiltin(o.store, SERVICE_PUBLIC_COLLECTION, r, started);
  await o.store.meta.set('service_public.source', source.description);
  await o.store.meta.set('service_public.ingested_at', new Date().toISOString());
  if (latestDate) await o.store.meta.set('service_public.latest_date', latestDate);
  return {
    ...r.summary,
    changes: changes.sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.id.localeCompare(b.id)),
    changesTruncated: truncated,
  };
}
