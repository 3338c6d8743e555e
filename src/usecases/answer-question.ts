import type { ModelRouter, ModelRef } from '../models/router.js';
import type { ChatMessage, Usage } from '../models/spec.js';
import { searchQueryFromConversation } from '../answer/conversation.js';
import { buildGroundedMessages } from '../answer/prompt.js';
import { judgeAbstention } from '../answer/abstention.js';
import { judgeRelevance } from '../answer/relevance.js';
import { outOfScopeKind } from '../answer/scope.js';
import { withMatchingRecords } from '../answer/records.js';
import { temporalAnswer, yearAfterCorpus } from '../answer/temporal.js';
import { toCitations, toSources, type Citation, type Source } from '../answer/sources.js';
import type { Retriever } from './retriever.js';
import type { PublicationHit } from './search-knowledge.js';
import { LOCAL_MIN_COVERAGE, scopeCollections } from './search-with-local.js';
import { createStreamRestorer, Pseudonymiser } from '../privacy/pseudonymise.js';
import { pseudonymisedFor, routableModel, type AnswerPrivacy } from '../privacy/answer-privacy.js';
import type { Store } from '../store/spec.js';
import type { Config } from '../config/schema.js';
import type { Services } from '../services.js';
import { BUILTIN_PROVIDER } from '../models/spec.js';
import { abstainsByMarker, markerState } from '../answer/model-abstention.js';

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
  router: ModelRouter;
  /** The process's retriever (store, embedding model, fusion settings). */
  retriever: Retriever;
  /** Sources older than this many months are marked stale (knowledge.stale_after_months; default 12). */
  staleAfterMonths?: number;
  /**
   * A generative model may judge that the sources do not answer (`answers.model_abstention`): it
   * then replies with `NO_SOURCE_MARKER` and the answer is `NO_SOURCE_ANSWER`.
   */
  modelAbstention?: boolean;
}

/** The answer dependencies of the process's services (the HTTP routes and the CLI). */
export function answerDeps(
  s: Pick<Services, 'router' | 'retriever'> & { config: Pick<Config, 'knowledge' | 'answers'> },
): AnswerDeps {
  return {
    router: s.router,
    retriever: s.retriever,
    staleAfterMonths: s.config.knowledge.stale_after_months,
    modelAbstention: s.config.answers.model_abstention,
  };
}

export interface AnswerRequest {
  model: string;
  messages: ChatMessage[];
  /** null = plain pass-through to the model, without retrieval. */
  retrieval: RetrievalOptions | null;
  params: GenerationParams;
  signal: AbortSignal;
  /**
   * The organisation's resolved policy (pseudonymisation before non-local targets, allowed targets):
   * required, so that no path can forget it (see `answerPrivacyFor`).
   */
  privacy: AnswerPrivacy;
}

/** What the answer's privacy handling did (counts and placeholders only, never values). */
export interface AnswerPrivacyReport {
  pseudonymised: boolean;
  placeholders: number;
  /** Placeholder-shaped tokens in the model's answer that were never issued (left as they are). */
  unknownPlaceholders: string[];
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
  /** The model actually routed (a sensitive organisation may be limited to some targets). */
  model: string;
  /** In memory for this request only; null when nothing leaves the premises. */
  pseudonymiser: Pseudonymiser | null;
  /** The model was told to reply `NO_SOURCE_MARKER` when the sources do not answer. */
  modelAbstains?: boolean;
}

export interface AnswerResult {
  text: string;
  finishReason: 'stop' | 'length' | 'error';
  usage: Usage;
  servedBy: ModelRef | null;
  citations: Citation[] | null;
  privacy?: AnswerPrivacyReport;
  /** The model judged that the sources do not answer: the text is `NO_SOURCE_ANSWER`. */
  noSource?: boolean;
}

/** Date of the newest fiche of the built-in corpus (null when it was never ingested). */
export async function corpusDateOf(store: Store): Promise<string | null> {
  return store.meta.get('service_public.latest_date');
}

/** Retrieves the sources for the conversation and builds the grounded prompt. */
export async function prepareAnswer(deps: AnswerDeps, request: AnswerRequest): Promise<AnswerPlan> {
  const privacy = request.privacy;
  const model = routableModel(deps.router, request.model, privacy);
  // Pseudonymise whenever some target may be non-local (the router picks at call time, with fallback).
  const p = pseudonymisedFor(privacy, deps.router.isLocal(model)) ? new Pseudonymiser() : null;
  const outgoing = p
    ? request.messages.map((m) => ({ ...m, content: p.pseudonymise(m.content) }))
    : request.messages;
  if (!request.retrieval) {
    return {
      request,
      sources: [],
      fixedAnswer: null,
      messages: outgoing,
      extra: {},
      query: '',
      model,
      pseudonymiser: p,
    };
  }
  const query = searchQueryFromConversation(request.messages);
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  // National corpus and the organisation's documents, with slots kept for relevant local ones; with
  // `search.rewrite` / `search.reranker`, the model's queries fused in and the order re-ranked.
  const store = deps.retriever.store;
  const { hits: found, searches } = await deps.retriever.retrieve({
    query,
    conversation: request.messages,
    k: request.retrieval.k,
    collectionIds: request.retrieval.collections,
    signal: request.signal,
    privacy,
  });
  // A record set (CSV, JSON) also gives the records whose brackets hold the question's numbers.
  const hits = await withMatchingRecords(store, found, lastUser);
  const searched = await scopeCollections(store, request.retrieval.collections);
  const names = new Map(searched.map((c) => [c.id, c.name]));
  const national = new Set(searched.filter((c) => c.builtin).map((c) => c.id));
  const sources = toSources(hits, names, national, deps.staleAfterMonths);
  const scope = outOfScopeKind(lastUser);
  const localHit = sources.some((s) => s.local);
  // "No source" from measured signals (coverage, margins, unknown terms, deixis…), by the
  // cross-validated model of src/answer/abstention-model.ts. An organisation's own document that
  // covers the question well enough (as for its reserved slot) still answers.
  const inScope = searched.map((c) => c.id);
  const evidence = async (q: string, list: PublicationHit[]) => {
    const abstention = await judgeAbstention(store, q, list, undefined, inScope);
    const localHits = list.filter((h) => !national.has(h.collectionId));
    const localCovers =
      localHits.length > 0 &&
      (await judgeRelevance(store, q, localHits, undefined, inScope)).coverage >= LOCAL_MIN_COVERAGE;
    return { refuse: abstention.refuse && !localCovers, localCovers };
  };
  // A query written by the model (`search.rewrite`) that its own results answer is evidence too.
  const judged = [
    await evidence(query, hits),
    ...(await Promise.all(searches.slice(1).map((x) => evidence(x.query, x.hits)))),
  ];
  const localCovers = judged.some((j) => j.localCovers);
  // A question about a year the national corpus does not reach gets that said plainly, never an
  // older figure presented as current (an organisation's own document may be newer: it answers).
  const corpusDate = national.size > 0 && !localCovers ? await corpusDateOf(store) : null;
  const year = yearAfterCorpus(lastUser, corpusDate);
  const nothing =
    year !== null || hits.length === 0 || judged.every((j) => j.refuse) || (scope !== null && !localHit);
  const fixedAnswer = !nothing
    ? null
    : year !== null && corpusDate
      ? temporalAnswer(lastUser, year, corpusDate)
      : NO_SOURCE_ANSWER;
  // A generative model may still judge that these sources do not answer (never the extracts).
  const modelAbstains =
    !nothing &&
    deps.modelAbstention === true &&
    deps.router.resolve(model).some((t) => t.provider !== BUILTIN_PROVIDER);
  // Passages of private collections are pseudonymised too; the national corpus is public.
  const sent = p
    ? sources.map((s) =>
        s.local
          ? { ...s, title: p.pseudonymise(s.title), passages: s.passages.map((x) => p.pseudonymise(x)) }
          : s,
      )
    : sources;
  return {
    request,
    sources: nothing ? [] : sources,
    fixedAnswer,
    messages: buildGroundedMessages(outgoing, nothing ? [] : sent, { abstainMarker: modelAbstains }),
    extra: { guichet_sources: sent, guichet_query: p ? p.pseudonymise(query) : query },
    query,
    model,
    pseudonymiser: p,
    modelAbstains,
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
  const result = await deps.router.complete(plan.model, {
    messages: plan.messages,
    ...plan.request.params,
    signal: plan.request.signal,
    extra: plan.extra,
  });
  const restored = plan.pseudonymiser?.restore(result.text) ?? { text: result.text, unknownPlaceholders: [] };
  if (plan.modelAbstains && abstainsByMarker(restored.text)) return modelNoSource(plan, result);
  return {
    text: restored.text,
    finishReason: result.finishReason,
    usage: result.usage,
    servedBy: result.servedBy,
    citations: citationsOf(plan, restored.text),
    privacy: privacyReport(plan, restored.unknownPlaceholders),
  };
}

/** The model judged that its sources do not answer: the fixed sentence, no citation. */
function modelNoSource(
  plan: AnswerPlan,
  r: { finishReason: AnswerResult['finishReason']; usage: Usage; servedBy: ModelRef | null },
): AnswerResult {
  return {
    text: NO_SOURCE_ANSWER,
    finishReason: r.finishReason,
    usage: r.usage,
    servedBy: r.servedBy,
    citations: [],
    privacy: privacyReport(plan, []),
    noSource: true,
  };
}

function privacyReport(plan: AnswerPlan, unknownPlaceholders: string[]): AnswerPrivacyReport {
  const p = plan.pseudonymiser;
  return { pseudonymised: p !== null, placeholders: p ? p.toJSON().placeholders : 0, unknownPlaceholders };
}

export type AnswerEvent = { type: 'text'; text: string } | { type: 'done'; result: AnswerResult };

/** Streamed answer: text deltas, then one `done` event with usage and citations. */
export async function* streamAnswer(deps: AnswerDeps, plan: AnswerPlan): AsyncGenerator<AnswerEvent> {
  if (plan.fixedAnswer !== null) {
    yield { type: 'text', text: plan.fixedAnswer };
    yield { type: 'done', result: await completeAnswer(deps, plan) };
    return;
  }
  let text = '';
  // A placeholder split across chunks (`[PERS` + `ONNE_1]`) is held back until it is complete.
  const restorer = plan.pseudonymiser ? createStreamRestorer(plan.pseudonymiser) : null;
  // When the model may answer "no source" by a marker, its first characters are held back until
  // they tell; a marker is never shown, and what follows it is read but dropped.
  let held: 'pending' | 'marker' | 'text' = plan.modelAbstains ? 'pending' : 'text';
  for await (const d of deps.router.stream(plan.model, {
    messages: plan.messages,
    ...plan.request.params,
    signal: plan.request.signal,
    extra: plan.extra,
  })) {
    if (d.type === 'text') {
      const out = restorer ? restorer.push(d.text) : d.text;
      text += out;
      if (held === 'text') {
        if (out) yield { type: 'text', text: out };
      } else if (held === 'pending') {
        held = markerState(text);
        if (held === 'text') yield { type: 'text', text };
      }
    } else {
      const tail = restorer?.flush() ?? '';
      text += tail;
      if (held === 'pending') {
        // Ended before telling (a short answer): it is an answer, shown whole.
        held = markerState(text) === 'marker' ? 'marker' : 'text';
        if (held === 'text' && text) yield { type: 'text', text };
      } else if (held === 'text' && tail) yield { type: 'text', text: tail };
      if (held === 'marker') {
        yield { type: 'text', text: NO_SOURCE_ANSWER };
        yield { type: 'done', result: modelNoSource(plan, d) };
        return;
      }
      yield {
        type: 'done',
        result: {
          text,
          finishReason: d.finishReason,
          usage: d.usage,
          servedBy: d.servedBy,
          citations: citationsOf(plan, text),
          privacy: privacyReport(plan, restorer?.unknownPlaceholders() ?? []),
        },
      };
    }
  }
}
