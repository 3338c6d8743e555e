/**
 * The one retriever of a process, built once by the composition root (`src/compose.ts`): the store,
 * the embedding model (if any), the fusion settings, and the optional model stages (query rewriting,
 * re-ranking), handed to every use case that searches. Every text it sends to a model goes through
 * the organisation's privacy policy: a target the policy does not allow is never called (that stage
 * is then left out), and text for a non-local target is pseudonymised first. A model stage that
 * fails or is too slow is left out too (logged, counted): never an error for the user.
 */
import { withMatchingRecords } from '../answer/records.js';
import { ModelQueryRewriter, type QueryRewriter } from '../answer/rewrite.js';
import type { RerankerConfig, SearchRewriteConfig } from '../config/schema.js';
import { fuseRankedLists } from '../knowledge/search/fuse.js';
import { HttpReranker, LexicalReranker, type Reranker } from '../knowledge/search/rerank.js';
import type { Provider } from '../models/create-model-stack.js';
import type { ModelRef, ModelRouter } from '../models/router.js';
import type { ChatMessage } from '../models/spec.js';
import { pseudonymisedFor, routableModel, type AnswerPrivacy } from '../privacy/answer-privacy.js';
import { Pseudonymiser } from '../privacy/pseudonymise.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../store/spec.js';
import type { TextEmbedder } from './ingest-document.js';
import {
  RERANK_CANDIDATES,
  type PublicationHit,
  type QueryEmbedder,
  type SearchMethod,
} from './search-knowledge.js';
import { builtinIds, searchWithLocal } from './search-with-local.js';

/** The configured embedding model, seen through privacy policies. */
export interface Embedder {
  /** The configured model (`search.embedding_model`). */
  readonly model: string;
  /**
   * Embeds texts under a policy: null when no target of the model is allowed for it. Text for a
   * non-local target is pseudonymised (each text on its own) unless the policy says otherwise.
   */
  forPolicy(privacy: AnswerPrivacy): TextEmbedder | null;
  /** True when text sent under this policy is pseudonymised first (the data-flow report reads it). */
  pseudonymises(privacy: AnswerPrivacy): boolean;
}

/** The model the router may use under a policy (null: none of its targets is allowed). */
function allowedModel(
  router: ModelRouter,
  model: string,
  privacy: AnswerPrivacy,
  kind: 'chat' | 'embedding',
): string | null {
  try {
    return routableModel(router, model, privacy, kind);
  } catch (e) {
    if (e instanceof AppError && e.code === 'forbidden') return null;
    throw e;
  }
}

export function createEmbedder(router: ModelRouter, model: string | undefined): Embedder | null {
  if (!model) return null;
  router.resolve(model, 'embedding'); // an unknown model fails at start, not at the first search
  const pseudonymises = (privacy: AnswerPrivacy) =>
    pseudonymisedFor(privacy, router.isLocal(model, 'embedding'));
  return {
    model,
    pseudonymises,
    forPolicy(privacy) {
      const routed = allowedModel(router, model, privacy, 'embedding');
      if (!routed) return null;
      const clear = !pseudonymisedFor(privacy, router.isLocal(routed, 'embedding'));
      return async (texts, signal) => {
        const sent = clear ? texts : texts.map((t) => new Pseudonymiser().pseudonymise(t));
        return (await router.embed(routed, sent, signal ?? new AbortController().signal)).vectors;
      };
    },
  };
}

/**
 * A model stage of the search seen through privacy policies: the stage allowed for a policy (null:
 * none of its targets is), and whether the text it sends under a policy is pseudonymised (the
 * data-flow report reads it).
 */
export interface PolicyBound<T> {
  /** The configured model (`search.rewrite.model`) or reranker (`lexical`, `fournisseur:modèle`). */
  readonly name: string;
  /** Abandoned after this many milliseconds (the search goes on without the stage). */
  readonly timeoutMs: number;
  forPolicy(privacy: AnswerPrivacy): T | null;
  pseudonymises(privacy: AnswerPrivacy): boolean;
}

/** Query rewriting by the configured chat model (`search.rewrite`); null when not configured. */
export function createQueryRewriter(
  router: ModelRouter,
  settings: SearchRewriteConfig | undefined,
): PolicyBound<QueryRewriter> | null {
  if (!settings) return null;
  try {
    router.resolve(settings.model, 'chat'); // an unknown model fails at start, not at the first search
  } catch (e) {
    throw new AppError(
      'config_invalid',
      `search.rewrite.model : ${e instanceof Error ? e.message.split('. ')[0] : String(e)} (providers, models).`,
    );
  }
  return {
    name: settings.model,
    timeoutMs: settings.timeout_ms,
    pseudonymises: (privacy) => pseudonymisedFor(privacy, router.isLocal(settings.model)),
    forPolicy(privacy) {
      const routed = allowedModel(router, settings.model, privacy, 'chat');
      if (!routed) return null;
      return new ModelQueryRewriter(router, routed, {
        pseudonymise: pseudonymisedFor(privacy, router.isLocal(routed)),
        maxQueries: settings.max_queries,
      });
    },
  };
}

export interface RankedReranker extends PolicyBound<Reranker> {
  /** Publications re-ranked (the first ones of the search). */
  readonly topN: number;
}

/**
 * The configured reranker (`search.reranker`): the built-in lexical one, or a declared provider's
 * `/v1/rerank` (its origin is in the egress allow-list; an undeclared provider fails at start).
 */
export function createReranker(
  settings: RerankerConfig | undefined,
  o: { store: Store; providers: Provider[] },
): RankedReranker | null {
  if (!settings) return null;
  if (settings === 'lexical') {
    const lexical = new LexicalReranker((terms) => o.store.search.termStats(terms));
    return {
      name: 'lexical',
      timeoutMs: 60_000,
      topN: RERANK_CANDIDATES,
      forPolicy: () => lexical,
      pseudonymises: () => false,
    };
  }
  const provider = o.providers.find((p) => p.id === settings.provider);
  if (!provider || !('rerank' in provider)) {
    throw new AppError(
      'config_invalid',
      `search.reranker.provider : « ${settings.provider} » n'est pas un fournisseur déclaré dans providers ` +
        'de type openai-compatible (seuls ceux-ci servent /v1/rerank).',
    );
  }
  const ref: ModelRef = {
    key: `${provider.id}:${settings.model}`,
    provider: provider.id,
    model: settings.model,
    local: provider.local,
  };
  return {
    name: ref.key,
    timeoutMs: settings.timeout_ms,
    topN: settings.top_n,
    pseudonymises: (privacy) => pseudonymisedFor(privacy, ref.local),
    forPolicy(privacy) {
      if (privacy.allowTarget && !privacy.allowTarget(ref)) return null;
      // One pseudonymiser per search: the same name gets the same placeholder in every text.
      const p = pseudonymisedFor(privacy, ref.local) ? new Pseudonymiser() : null;
      return new HttpReranker(
        (query, documents, signal) =>
          provider.rerank(
            settings.model,
            query,
            documents,
            signal ?? new AbortController().signal,
            settings.api,
          ),
        { name: ref.key, pseudonymise: p ? (t) => p.pseudonymise(t) : undefined },
      );
    },
  };
}

export interface RetrieveRequest {
  query: string;
  collectionIds: string[];
  k?: number;
  method?: SearchMethod;
  passagesPerDocument?: number;
  signal?: AbortSignal;
  /** The organisation's resolved policy: required, the query may go to the embedding model. */
  privacy: AnswerPrivacy;
  /**
   * The conversation the query comes from (answers): a configured rewriter reads it. Absent: the
   * query alone is given to the rewriter.
   */
  conversation?: ChatMessage[];
}

/** What one retrieval did: the final publications, and each searched query with its own results. */
export interface Retrieval {
  hits: PublicationHit[];
  /** The query first, then the queries written by the model (their own first-stage results). */
  searches: Array<{ query: string; hits: PublicationHit[] }>;
}

/** Model stages of the search that failed or were too slow since start (the search went on without). */
export interface SearchFallbacks {
  rewrite: number;
  rerank: number;
}

export interface Retriever {
  readonly store: Store;
  readonly embedder: Embedder | null;
  /** National corpus and the organisation's documents, with slots kept for relevant local ones. */
  search(r: RetrieveRequest): Promise<PublicationHit[]>;
  /** `search`, with each searched query's own results (answers judge the evidence of each). */
  retrieve(r: RetrieveRequest): Promise<Retrieval>;
  /** The configured model stages (null: off). */
  readonly rewriter: PolicyBound<QueryRewriter> | null;
  readonly reranker: RankedReranker | null;
  fallbacks(): SearchFallbacks;
  /**
   * The query embedder allowed by a policy (undefined: lexical only). Dense search asked for
   * under a policy that forbids every embedding target is refused (403, French); hybrid search is
   * then lexical.
   */
  queryEmbedder(privacy: AnswerPrivacy, method?: SearchMethod): QueryEmbedder | undefined;
}

export function createRetriever(o: {
  store: Store;
  embedder: Embedder | null;
  rrfK: number;
  rewriter?: PolicyBound<QueryRewriter> | null;
  reranker?: RankedReranker | null;
  logger?: Logger;
}): Retriever {
  const rewriter = o.rewriter ?? null;
  const reranker = o.reranker ?? null;
  const fallbacks: SearchFallbacks = { rewrite: 0, rerank: 0 };
  const queryEmbedder = (privacy: AnswerPrivacy, method?: SearchMethod): QueryEmbedder | undefined => {
    if (!o.embedder) return undefined;
    const embed = o.embedder.forPolicy(privacy);
    if (!embed) {
      if (method === 'dense')
        throw new AppError(
          'forbidden',
          `Organisation sensible : le modèle d'embeddings « ${o.embedder.model} » n'est servi que par des fournisseurs ni locaux ni qualifiés SecNumCloud. ` +
            'Recherche dense refusée : utilisez la recherche lexicale.',
          { param: 'method' },
        );
      return undefined;
    }
    return async (text, signal) => (await embed([text], signal))[0];
  };
  /**
   * Runs a model stage with its time limit; a failure or a timeout gives `fallback` (logged and
   * counted). Only the caller's own abort (client gone) is thrown.
   */
  const guarded = async <T>(
    stage: keyof SearchFallbacks,
    timeoutMs: number,
    caller: AbortSignal | undefined,
    run: (signal: AbortSignal) => Promise<T>,
    fallback: T,
  ): Promise<T> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await run(caller ? AbortSignal.any([caller, timeout]) : timeout);
    } catch (e) {
      if (caller?.aborted) throw e;
      fallbacks[stage]++;
      o.logger?.warn(
        { stage, timedOut: timeout.aborted, err: e instanceof Error ? e.message : String(e) },
        'search model stage left out',
      );
      return fallback;
    }
  };
  const retrieve = async (r: RetrieveRequest): Promise<Retrieval> => {
    const embedQuery = queryEmbedder(r.privacy, r.method);
    // Hybrid under a policy that allows no embedding target: the lexical half alone.
    const method = r.method === 'hybrid' && !embedQuery && o.embedder ? 'lexical' : r.method;
    const rewrite = rewriter?.forPolicy(r.privacy) ?? null;
    const rerank = reranker?.forPolicy(r.privacy) ?? null;
    const k = r.k ?? 5;
    // With a reranker, more publications are searched so that it has something to re-rank.
    const depth = rerank ? Math.max(k, reranker!.topN) : k;
    const searchOne = (query: string) =>
      searchWithLocal({
        store: o.store,
        query,
        collectionIds: r.collectionIds,
        k: depth,
        method,
        passagesPerDocument: r.passagesPerDocument,
        signal: r.signal,
        embedQuery,
        rrfK: o.rrfK,
      });
    if (!rewrite && !rerank) {
      const hits = await searchOne(r.query);
      return { hits, searches: [{ query: r.query, hits }] };
    }
    const conversation = r.conversation ?? [{ role: 'user' as const, content: r.query }];
    const [first, written] = await Promise.all([
      searchOne(r.query),
      rewrite && r.query.trim()
        ? guarded('rewrite', rewriter!.timeoutMs, r.signal, (s) => rewrite.rewrite(conversation, s), [])
        : Promise.resolve([] as string[]),
    ]);
    const same = (q: string) => q.trim().toLowerCase() === r.query.trim().toLowerCase();
    const searches = [
      { query: r.query, hits: first },
      ...(await Promise.all(
        written.filter((q) => !same(q)).map(async (query) => ({ query, hits: await searchOne(query) })),
      )),
    ];
    let hits =
      searches.length > 1
        ? fuseRankedLists(
            searches.map((x) => x.hits),
            depth,
          )
        : first;
    if (rerank && hits.length > 1) {
      const head = hits.slice(0, reranker!.topN);
      const national = await builtinIds(o.store, r.collectionIds);
      const scores = await guarded(
        'rerank',
        reranker!.timeoutMs,
        r.signal,
        (s) =>
          rerank.rerank(
            r.query,
            head.map((h) => ({
              title: h.title,
              description: h.description,
              passages: h.passages.map((p) => p.text),
              score: h.score,
              private: !national.has(h.collectionId),
            })),
            s,
          ),
        null,
      );
      if (scores) {
        // The order is the reranker's; each publication keeps its first-stage score.
        const order = head
          .map((h, i) => ({ h, i, s: scores[i] ?? Number.NEGATIVE_INFINITY }))
          .sort((a, b) => b.s - a.s || a.i - b.i)
          .map((x) => x.h);
        hits = [...order, ...hits.slice(head.length)];
      }
    }
    return { hits: hits.slice(0, k), searches };
  };
  return {
    store: o.store,
    embedder: o.embedder,
    rewriter,
    reranker,
    queryEmbedder,
    retrieve,
    // A record set (CSV, JSON) also gives the records whose brackets hold the query's numbers, as
    // the answers do: "QF 820" shows the 701–950 row.
    search: async (r) => withMatchingRecords(o.store, (await retrieve(r)).hits, r.query),
    fallbacks: () => ({ ...fallbacks }),
  };
}
