/**
 * Ingests the Ministry of Labour's fiches pratiques (`travail-emploi` built-in collection) from the
 * npm package: idempotent (unchanged fiches skipped by content hash), removed fiches deleted, same
 * chunking and analysis as every other source.
 */
import { contentHash, indexVersion, toDocumentInput } from '../knowledge/index-document.js';
import { openTravailEmploiSource, parseFiche } from '../knowledge/sources/travail-emploi/index.js';
import type { Store } from '../store/spec.js';
import {
  ensureBuiltinCollection,
  finishBuiltin,
  ingestBuiltin,
  type BuiltinSummary,
} from './ingest-builtin.js';

export const TRAVAIL_EMPLOI_COLLECTION = 'travail-emploi';

export type TravailEmploiSummary = BuiltinSummary;

export async function ensureTravailEmploiCollection(store: Store): Promise<void> {
  await ensureBuiltinCollection(store, {
    id: TRAVAIL_EMPLOI_COLLECTION,
    name: 'Travail-emploi.gouv.fr',
    description:
      'Fiches pratiques du droit du travail du ministère du Travail (travail-emploi.gouv.fr), corpus national intégré.',
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
  const version = indexVersion(o.chunkTokens);
  const r = await ingestBuiltin({
    store: o.store,
    collectionId: TRAVAIL_EMPLOI_COLLECTION,
    source: source.description,
    expected: source.fiches.length,
    noun: 'Fiche',
    onProgress: o.onProgress,
    onWarning: o.onWarning,
    items: source.fiches.map((raw) => {
      const hash = contentHash(raw.json, version);
      return {
        id: raw.id,
        hash,
        ...(raw.fiche ? {} : { problem: raw.problem ?? 'fiche illisible' }),
        parse: () =>
          toDocumentInput(parseFiche(raw.fiche!), {
            collectionId: TRAVAIL_EMPLOI_COLLECTION,
            hash,
            chunkTokens: o.chunkTokens,
          }),
      };
    }),
  });
  await finishBuiltin(o.store, TRAVAIL_EMPLOI_COLLECTION, r, started);
  await o.store.meta.set('travail_emploi.source', source.description);
  await o.store.meta.set('travail_emploi.ingested_at', new Date().toISOString());
  return r.summary;
}
