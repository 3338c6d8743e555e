import type { ChunkHit, Store } from '../store/spec.js';
import { queryTerms } from '../knowledge/search/query.js';
import { groupByDocument, reciprocalRankFusion } from '../knowledge/search/fuse.js';
import { AppError } from '../shared/errors.js';

export type SearchMethod = 'lexical' | 'dense' | 'hybrid';

/** What dense search needs: one function that embeds a query (absent = lexical only). */
export type QueryEmbedder = (text: string, signal?: AbortSignal) => Promise<Float32Array>;

export interface Passage {
  chunkId: string;
  path: string[];
  text: string;
  score: number;
}

export interface PublicationHit {
  id: string;
  externalId: string;
  collectionId: string;
  title: string;
  description: string;
  url: string | null;
  kind: string;
  audience: string | null;
  date: string | null;
  breadcrumb: string[];
  score: number;
  passages: Passage[];
}

export interface SearchKnowledgeOptions {
  store: Store;
  query: string;
  collectionIds: string[];
  k?: number;
  method?: SearchMethod;
  embedQuery?: QueryEmbedder;
  rrfK?: number;
  passagesPerDocument?: number;
  signal?: AbortSignal;
}

export const LEXICAL_WEIGHTS = { title: 4, headings: 2, body: 1 };
export const MAX_K = 50;

/** Hybrid search over the store: lexical BM25 and (when configured) dense vectors, fused by RRF. */
export async function searchKnowledge(o: SearchKnowledgeOptions): Promise<PublicationHit[]> {
  const k = Math.min(Math.max(1, Math.floor(o.k ?? 5)), MAX_K);
  const method: SearchMethod = o.method ?? (o.embedQuery ? 'hybrid' : 'lexical');
  const query = (o.query ?? '').trim();
  if (!query || o.collectionIds.length === 0) return [];
  if (method !== 'lexical' && !o.embedQuery) {
    throw new AppError(
      'invalid_request',
      "La recherche dense n'est pas disponible : aucun modèle d'embeddings n'est configuré (search.embedding_model).",
      { param: 'method' },
    );
  }
  const pool = Math.max(60, k * 20);
  const lists: ChunkHit[][] = [];
  if (method !== 'dense') {
    lists.push(
      await o.store.search.lexical({
        terms: queryTerms(query),
        collectionIds: o.collectionIds,
        limit: pool,
        weights: LEXICAL_WEIGHTS,
      }),
    );
  }
  if (method !== 'lexical' && o.embedQuery) {
    const vector = await o.embedQuery(query, o.signal);
    lists.push(await o.store.search.dense({ vector, collectionIds: o.collectionIds, limit: pool }));
  }
  const ranked = lists.length === 1 ? lists[0] : reciprocalRankFusion(lists, o.rrfK ?? 20);
  const groups = groupByDocument(ranked, k, o.passagesPerDocument ?? 3);
  const chunks = await o.store.search.hydrate(groups.flatMap((g) => g.chunks.map((c) => c.chunkId)));
  const byId = new Map(chunks.map((c) => [c.id, c]));
  return groups.flatMap((g) => {
    const first = byId.get(g.chunks[0].chunkId);
    if (!first) return [];
    const d = first.document;
    return [
      {
        id: d.id,
        externalId: d.externalId,
        collectionId: d.collectionId,
        title: d.title,
        description: d.description,
        url: d.url,
        kind: d.kind,
        audience: d.audience,
        date: d.date,
        breadcrumb: d.breadcrumb,
        score: g.score,
        passages: g.chunks.flatMap((h) => {
          const c = byId.get(h.chunkId);
          return c ? [{ chunkId: c.id, path: c.path, text: c.text, score: h.score }] : [];
        }),
      },
    ];
  });
}
