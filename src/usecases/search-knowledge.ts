import type { ChunkHit, Store } from '../store/spec.js';
import { queryTerms } from '../knowledge/search/query.js';
import { groupByDocument, reciprocalRankFusion, type Aggregation } from '../knowledge/search/fuse.js';
import { AppError } from '../shared/errors.js';
import type { Reranker } from '../knowledge/search/rerank.js';

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
  /** The document was read by OCR (a scan, an image): its passages may hold recognition errors. */
  ocr?: boolean;
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
  /**
   * Re-scores the first publications after the kind priors (absent: none — the measured default;
   * the built-in lexical one did not move the dev sets, docs/adr/0002).
   */
  reranker?: Reranker | null;
}

/** BM25 field weights (chosen by measurement: docs/adr/0001-search-and-chunk-size.md). */
export const LEXICAL_WEIGHTS = { title: 4, headings: 2, body: 1 };
export const MAX_K = 50;
/** Chunks fetched per list before grouping into publications. */
export const CHUNK_POOL = 200;
/** A publication's score: best chunk + 0.3 × second + 0.09 × third. */
export const AGGREGATION: Aggregation = { decay: 0.3, depth: 3 };
/** Publications re-scored with their kind prior before the final cut. */
const PRIOR_CANDIDATES = 40;
/** Publications a reranker re-scores. */
export const RERANK_CANDIDATES = 20;

/**
 * Mild priors by kind of publication: a fiche or question-réponse usually answers a question;
 * a dossier or theme page is an index of fiches, a form, online service or letter template is
 * rarely the best first answer. A multiplier on the score, never a filter.
 */
export const KIND_PRIORS: Record<string, number> = {
  dossier: 0.8,
  'sous-dossier': 0.8,
  theme: 0.7,
  formulaire: 0.7,
  teleservice: 0.7,
  'module-de-calcul': 0.7,
  'lettre-type': 0.7,
  ressource: 0.7,
};

/** Terms rarer than this (chunks containing them, whole index) are checked against the scope. */
const SCOPE_CHECK_MAX_DF = 2000;
/** A term found in at least this share of the scope's documents tells them apart no more than a stop word. */
const SCOPE_STOP_SHARE = 0.5;
const SCOPE_MIN_DOCUMENTS = 5;

/**
 * BM25 weighs terms by their rarity in the WHOLE index; within one organisation's collection, a
 * term rare nationally may stand in nearly every document (the town's own name, its postcode): it
 * then ranks documents by how often they repeat it. Such scope-wide terms are dropped from the
 * query, as a scope-local IDF would make them weigh nothing; at least two terms are kept.
 */
async function scopeTerms(store: Store, terms: string[], collectionIds: string[]): Promise<string[]> {
  if (terms.length <= 2) return terms;
  const { documents } = await store.search.scopeStats([], collectionIds);
  if (documents < SCOPE_MIN_DOCUMENTS) return terms;
  // A term can stand in half of the scope's documents only if at least that many chunks hold it:
  // for the national corpus no rare term qualifies, and nothing more is asked of the store.
  const floor = SCOPE_STOP_SHARE * documents;
  if (floor > SCOPE_CHECK_MAX_DF) return terms;
  const { df } = await store.search.termStats(terms);
  const candidates = terms.filter((t) => (df.get(t) ?? 0) >= floor && (df.get(t) ?? 0) <= SCOPE_CHECK_MAX_DF);
  if (candidates.length === 0) return terms;
  const scope = await store.search.scopeStats(candidates, collectionIds);
  const widespread = new Set(
    candidates.filter((t) => (scope.df.get(t) ?? 0) / documents >= SCOPE_STOP_SHARE),
  );
  const kept = terms.filter((t) => !widespread.has(t));
  return kept.length >= 2 ? kept : terms;
}

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
  const pool = Math.max(CHUNK_POOL, k * 20);
  const lists: ChunkHit[][] = [];
  if (method !== 'dense') {
    lists.push(
      await o.store.search.lexical({
        terms: await scopeTerms(o.store, queryTerms(query), o.collectionIds),
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
  const candidates = groupByDocument(
    ranked,
    Math.max(k, PRIOR_CANDIDATES),
    o.passagesPerDocument ?? 3,
    AGGREGATION,
  );
  // Kind priors need only the candidates' kinds; passages and documents are loaded for the
  // publications shown (and those a reranker reads), not for all 40 candidates.
  const kinds = await o.store.search.documentKinds(candidates.map((g) => g.documentId));
  const prior = candidates
    .map((g) => ({ ...g, score: g.score * (KIND_PRIORS[kinds.get(g.documentId) ?? ''] ?? 1) }))
    .sort((a, b) => b.score - a.score);
  const loaded = prior.slice(0, o.reranker ? Math.max(k, RERANK_CANDIDATES) : k);
  const chunks = await o.store.search.hydrate(loaded.flatMap((g) => g.chunks.map((c) => c.chunkId)));
  const byId = new Map(chunks.map((c) => [c.id, c]));
  if (o.reranker) {
    const head = loaded;
    const scores = await o.reranker.rerank(
      query,
      head.map((g) => {
        const d = byId.get(g.chunks[0].chunkId)?.document;
        return {
          title: d?.title ?? '',
          description: d?.description ?? '',
          passages: g.chunks.flatMap((c) => byId.get(c.chunkId)?.text ?? []),
          score: g.score,
        };
      }),
      o.signal,
    );
    head.forEach((g, i) => (g.score = scores[i] ?? g.score));
    prior.splice(0, head.length, ...[...head].sort((a, b) => b.score - a.score));
  }
  const groups = prior.slice(0, k);
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
        ocr: Boolean(d.metadata?.ocr),
        passages: g.chunks.flatMap((h) => {
          const c = byId.get(h.chunkId);
          return c ? [{ chunkId: c.id, path: c.path, text: c.text, score: h.score }] : [];
        }),
      },
    ];
  });
}
