/**
 * Ingests the Ministry of Labour's fiches pratiques (`travail-emploi` built-in collection) from the
 * npm package: idempotent (unchanged fiches skipped by content hash), removed fiches deleted, same
 * chunking and analysis as every other source.
 */
import { contentHash, indexVersion, toDocumentInput } from '../knowledge/index-document.js';
import { openTravailEmploiSource, parseFiche } from '../knowledge/sources/travail-emploi/index.js';
import type { DocumentInput, Store } from '../store/spec.js';
import { PLATFORM_ORG } from './ingest-service-public.js';

export const TRAVAIL_EMPLOI_COLLECTION = 'travail-emploi';

export interface TravailEmploiSummary {
  source: string;
  total: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  failed: { id: string; message: string }[];
  durationMs: number;
}

export async function ensureTravailEmploiCollection(store: Store): Promise<void> {
  if (await store.collections.get(TRAVAIL_EMPLOI_COLLECTION)) return;
  await store.collections.create({
    id: TRAVAIL_EMPLOI_COLLECTION,
    orgId: PLATFORM_ORG,
    name: 'Travail-emploi.gouv.fr',
    description:
      'Fiches pratiques du droit du travail du ministère du Travail (travail-emploi.gouv.fr), corpus national intégré.',
    visibility: 'public',
    builtin: true,
  });
}

export async function ingestTravailEmploi(o: {
  store: Store;
  chunkTokens: number;
  onProgress?: (p: { done: number; total: number }) => void;
  onWarning?: (message: string) => void;
}): Promise<TravailEmploiSummary> {
  const started = performance.now();
  const source = await openTravailEmploiSource();
  await ensureTravailEmploiCollection(o.store);
  const known = await o.store.documents.hashes(TRAVAIL_EMPLOI_COLLECTION);
  const version = indexVersion(o.chunkTokens);
  const summary: TravailEmploiSummary = {
    source: source.description,
    total: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    failed: [],
    durationMs: 0,
  };
  const seen = new Set<string>();
  let batch: DocumentInput[] = [];
  for (const raw of source.fiches) {
    if (seen.has(raw.id)) continue;
    seen.add(raw.id);
    summary.total++;
    const hash = contentHash(raw.json, version);
    const previous = known.get(raw.id);
    if (previous === hash) summary.unchanged++;
    else if (!raw.fiche) {
      summary.failed.push({ id: raw.id, message: raw.problem ?? 'fiche illisible' });
      o.onWarning?.(`Fiche ${raw.id} ignorée : ${raw.problem}`);
    } else {
      try {
        batch.push(
          toDocumentInput(parseFiche(raw.fiche), {
            collectionId: TRAVAIL_EMPLOI_COLLECTION,
            hash,
            chunkTokens: o.chunkTokens,
          }),
        );
        if (previous) summary.updated++;
        else summary.added++;
      } catch (e) {
        summary.failed.push({ id: raw.id, message: (e as Error).message });
        o.onWarning?.(`Fiche ${raw.id} ignorée : ${(e as Error).message}`);
      }
      if (batch.length >= 100) {
        await o.store.documents.putMany(batch);
        batch = [];
      }
    }
    o.onProgress?.({ done: summary.total, total: source.fiches.length });
  }
  if (batch.length) await o.store.documents.putMany(batch);
  summary.removed = await o.store.documents.deleteMissing(TRAVAIL_EMPLOI_COLLECTION, seen);
  await o.store.meta.set('travail_emploi.source', source.description);
  await o.store.meta.set('travail_emploi.ingested_at', new Date().toISOString());
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}
