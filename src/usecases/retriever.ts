/**
 * The one retriever of a process, built once by the composition root (`src/compose.ts`): the store,
 * the embedding model (if any) and the fusion settings, handed to every use case that searches.
 * Every text it sends to the embedding model goes through the organisation's privacy policy: a
 * target the policy does not allow is never called (dense search is then left out), and text for a
 * non-local target is pseudonymised first.
 */
import type { ModelRouter } from '../models/router.js';
import { pseudonymisedFor, routableModel, type AnswerPrivacy } from '../privacy/answer-privacy.js';
import { Pseudonymiser } from '../privacy/pseudonymise.js';
import { AppError } from '../shared/errors.js';
import type { Store } from '../store/spec.js';
import type { TextEmbedder } from './ingest-document.js';
import type { PublicationHit, QueryEmbedder, SearchMethod } from './search-knowledge.js';
import { searchWithLocal } from './search-with-local.js';

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
function allowedModel(router: ModelRouter, model: string, privacy: AnswerPrivacy): string | null {
  try {
    return routableModel(router, model, privacy, 'embedding');
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
      const routed = allowedModel(router, model, privacy);
      if (!routed) return null;
      const clear = !pseudonymisedFor(privacy, router.isLocal(routed, 'embedding'));
      return async (texts, signal) => {
        const sent = clear ? texts : texts.map((t) => new Pseudonymiser().pseudonymise(t));
        return (await router.embed(routed, sent, signal ?? new AbortController().signal)).vectors;
      };
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
}

export interface Retriever {
  readonly store: Store;
  readonly embedder: Embedder | null;
  /** National corpus and the organisation's documents, with slots kept for relevant local ones. */
  search(r: RetrieveRequest): Promise<PublicationHit[]>;
  /**
   * The query embedder allowed by a policy (undefined: lexical only). Dense search asked for
   * under a policy that forbids every embedding target is refused (403, French); hybrid search is
   * then lexical.
   */
  queryEmbedder(privacy: AnswerPrivacy, method?: SearchMethod): QueryEmbedder | undefined;
}

export function createRetriever(o: { store: Store; embedder: Embedder | null; rrfK: number }): Retriever {
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
  return {
    store: o.store,
    embedder: o.embedder,
    queryEmbedder,
    search: (r) => {
      const embedQuery = queryEmbedder(r.privacy, r.method);
      // Hybrid under a policy that allows no embedding target: the lexical half alone.
      const method = r.method === 'hybrid' && !embedQuery && o.embedder ? 'lexical' : r.method;
      return searchWithLocal({
        store: o.store,
        query: r.query,
        collectionIds: r.collectionIds,
        k: r.k,
        method,
        passagesPerDocument: r.passagesPerDocument,
        signal: r.signal,
        embedQuery,
        rrfK: o.rrfK,
      });
    },
  };
}
