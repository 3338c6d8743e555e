/**
 * A small real corpus (the first service-public.fr publications of the npm package, through the
 * real parser, chunker and French analyzer) to compare lexical rankings between store adapters.
 */
import { contentHash, toDocumentInput } from '../../src/knowledge/index-document.js';
import { queryTerms } from '../../src/knowledge/search/query.js';
import {
  openServicePublicSource,
  parsePublication,
} from '../../src/knowledge/sources/service-public/index.js';
import type { DocumentInput, Store } from '../../src/store/spec.js';

export const QUERIES = [
  "renouveler sa carte d'identité",
  'allocation logement étudiant',
  'congé maternité durée',
  'permis de conduire perdu',
  'chèque énergie montant',
  'acte de naissance demande en ligne',
  'impôt sur le revenu déclaration',
  'titre de séjour étudiant étranger',
  'retraite anticipée carrière longue',
  'association loi 1901 création',
];

export async function loadCorpus(count: number, collectionId: string): Promise<DocumentInput[]> {
  const source = await openServicePublicSource();
  const docs: DocumentInput[] = [];
  for await (const raw of source.entries()) {
    if (docs.length >= count) break;
    try {
      const doc = parsePublication(raw);
      docs.push(
        toDocumentInput(doc, { collectionId, hash: contentHash(raw.bytes, 'parity'), chunkTokens: 250 }),
      );
    } catch {
      // publications the parser refuses are irrelevant here
    }
  }
  return docs;
}

/** The documents an install ends up with after `replayHistory`: what a fresh re-ingestion writes. */
export function finalState(docs: DocumentInput[]): DocumentInput[] {
  const sp = docs.filter((_, i) => i < 30 || i >= 36).map((d, i) => (i >= 20 && i < 30 ? revised(d) : d));
  return [...sp, ...localCopies(docs).slice(0, 10)];
}

/** Fills a store with history: both collections, then replacements and deletions (N, n_t, avgdl move). */
export async function replayHistory(store: Store, docs: DocumentInput[]): Promise<void> {
  await createCollections(store);
  const local = localCopies(docs);
  await store.documents.putMany(docs);
  await store.documents.putMany(local);
  for (const d of docs.slice(20, 30)) await store.documents.put(revised(d));
  for (const d of docs.slice(30, 36)) {
    const stored = await store.documents.getByExternalId('sp', d.externalId);
    await store.documents.delete(stored!.id);
  }
  await store.documents.deleteMissing('local', new Set(local.slice(0, 10).map((d) => d.externalId)));
}

export async function createCollections(store: Store): Promise<void> {
  await store.collections.create({ id: 'sp', orgId: 'platform', name: 'SP', visibility: 'public' });
  await store.collections.create({ id: 'local', orgId: 'o', name: 'Local', visibility: 'private' });
}

function localCopies(docs: DocumentInput[]): DocumentInput[] {
  return docs.slice(0, 15).map((d) => ({ ...d, collectionId: 'local', externalId: `local-${d.externalId}` }));
}

function revised(d: DocumentInput): DocumentInput {
  return { ...d, hash: 'v2', chunks: d.chunks.slice(0, Math.max(1, d.chunks.length - 1)) };
}

/** Every hit of a query, keyed by document and chunk ordinal (chunk ids differ between stores). */
export async function rankedHits(
  store: Store,
  question: string,
  collectionIds: string[],
): Promise<{ key: string; score: number }[]> {
  const hits = await store.search.lexical({
    terms: queryTerms(question),
    collectionIds,
    limit: 10_000,
    weights: { title: 4, headings: 2, body: 1 },
  });
  const chunks = await store.search.hydrate(hits.map((h) => h.chunkId));
  return hits.map((h, i) => ({
    key: `${chunks[i].document.externalId}#${chunks[i].ordinal}`,
    score: h.score,
  }));
}
