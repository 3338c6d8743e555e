import type { ModelRouter, ModelRef } from '../models/router.js';
import type { ChatMessage, Usage } from '../models/spec.js';
import type { Store } from '../store/spec.js';
import { searchQueryFromConversation } from '../answer/conversation.js';
import { buildGroundedMessages } from '../answer/prompt.js';
import { judgeRelevance } from '../answer/relevance.js';
import { outOfScopeKind } from '../answer/scope.js';
import { toCitations, toSources, type Citation, type Source } from '../answer/sources.js';
import { searchKnowledge, type QueryEmbedder } from './search-knowledge.js';
import { SERVICE_PUBLIC_COLLECTION } from './ingest-service-public.js';

export const NO_SOURCE_ANSWER =
  "Je n'ai pas trouvé de source officielle qui réponde à cette question. " +
  "Je préfère ne pas répondre plutôt que d'inventer : reformulez la question (démarche, situation de l'usager), " +
  'ou orientez l’usager vers le service compétent.';

export interface RetrievalOptions {
  collections: string[];
  k: number;
}

export interface GenerationParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  seed?: number;
}

export interface AnswerDeps {
  store: Store;
  router: ModelRouter;
  embedQuery?: QueryEmbedder;
  rrfK?: number;
}

export interface AnswerRequest {
  model: string;
  messages: ChatMessage[];
  /** null = plain pass-through to the model, without retrieval. */
  retrieval: RetrievalOptions | null;
  params: GenerationParams;
  signal: AbortSignal;
}

/** What was retrieved and what will be sent to the model. */
export interface AnswerPlan {
  request: AnswerRequest;
  sources: Source[];
  /** Set when retrieval found nothing relevant: the answer is this text, the model is not called. */
  fixedAnswer: string | null;
  messages: ChatMessage[];
  extra: Record<string, unknown>;
  query: string;
}

export interface AnswerResult {
  text: string;
  finishReason: 'stop' | 'length' | 'error';
  usage: Usage;
  servedBy: ModelRef | null;
  citations: Citation[] | null;
}

/** Retrieves the sources for the conversation and builds the grounded prompt. */
export async function prepareAnswer(deps: AnswerDeps, request: AnswerRequest): Promise<AnswerPlan> {
  if (!request.retrieval) {
    return { request, sources: [], fixedAnswer: null, messages: request.messages, extra: {}, query: '' };
  }
  const query = searchQueryFromConversation(request.messages);
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const hits = await searchKnowledge({
    store: deps.store,
    query,
    k: request.retrieval.k,
    collectionIds: request.retrieval.collections,
    embedQuery: deps.embedQuery,
    rrfK: deps.rrfK,
    signal: request.signal,
  });
  const collections = await deps.store.collections.list();
  const names = new Map(collections.map((c) => [c.id, c.name]));
  const national = new Set([SERVICE_PUBLIC_COLLECTION]);
  const sources = toSources(hits, names, national);
  const scope = outOfScopeKind(lastUser);
  const localHit = sources.some((s) => s.local);
  const relevance = await judgeRelevance(deps.store, query, hits);
  const nothing = hits.length === 0 || !relevance.relevant || (scope !== null && !localHit);
  return {
    request,
    sources: nothing ? [] : sources,
    fixedAnswer: nothing ? NO_SOURCE_ANSWER : null,
    messages: buildGroundedMessages(request.messages, nothing ? [] : sources),
    extra: { guichet_sources: sources, guichet_query: query },
    query,
  };
}

function citationsOf(plan: AnswerPlan, text: string): Citation[] | null {
  return plan.request.retrieval ? toCitations(plan.sources, text) : null;
}

const estimate = (s: string) => Math.ceil(s.length / 4);

/** Non-streamed answer. */
export async function completeAnswer(deps: AnswerDeps, plan: AnswerPlan): Promise<AnswerResult> {
  if (plan.fixedAnswer !== null) {
    return {
      text: plan.fixedAnswer,
      finishReason: 'stop',
      usage: { promptTokens: estimate(plan.query), completionTokens: estimate(plan.fixedAnswer) },
      servedBy: null,
      citations: [],
    };
  }
  const result = await deps.router.complete(plan.request.model, {
    messages: plan.messages,
    ...plan.request.params,
    signal: plan.request.signal,
    extra: plan.extra,
  });
  return {
    text: result.text,
    finishReason: result.finishReason,
    usage: result.usage,
    servedBy: result.servedBy,
    citations: citationsOf(plan, result.text),
  };
}

export type AnswerEvent =
  | { type: 'text'; text: string }
  | { type: 'done'; result: AnswerResult };

/** Streamed answer: text deltas, then one `done` event with usage and citations. */
export async function* streamAnswer(deps: AnswerDeps, plan: AnswerPlan): AsyncGenerator<AnswerEvent> {
  if (plan.fixedAnswer !== null) {
    yield { type: 'text', text: plan.fixedAnswer };
    yield { type: 'done', result: await completeAnswer(deps, plan) };
    return;
  }
  let text = '';
  for await (const d of deps.router.stream(plan.request.model, {
    messages: plan.messages,
    ...plan.request.params,
    signal: plan.request.signal,
    extra: plan.extra,
  })) {
    if (d.type === 'text') {
      text += d.text;
      yield d;
    } else {
      yield {
        type: 'done',
        result: {
          text,
          finishReason: d.finishReason,
          usage: d.usage,
          servedBy: d.servedBy,
          citations: citationsOf(plan, text),
        },
      };
    }
  }
}
