import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AppError } from '../../../shared/errors.js';
import type { OpenAiCompatibleProviderConfig } from '../../config.js';
import type { EgressFetch } from '../../http-client.js';
import { Semaphore } from '../../semaphore.js';
import type { ChatModel, ChatRequest, EmbeddingModel } from '../../spec.js';
import { completeChat, streamChat } from './chat.js';
import { embedTexts, listUpstreamModels } from './embeddings.js';
import { rerankTexts, type RerankApi } from './rerank.js';
import type { ProviderContext } from './transport.js';

export interface OpenAiCompatibleProvider {
  readonly id: string;
  readonly local: boolean;
  readonly models: readonly string[];
  chatModel(model: string): ChatModel;
  embeddingModel(model: string): EmbeddingModel;
  /** Model ids the upstream reports (`GET /models`), for `guichet doctor`. */
  listModels(signal: AbortSignal): Promise<string[]>;
  /** Scores of documents for a query by a reranker model (`/v1/rerank`), in the documents' order. */
  rerank(
    model: string,
    query: string,
    documents: string[],
    signal: AbortSignal,
    api?: RerankApi,
  ): Promise<number[]>;
}

export function createOpenAiCompatibleProvider(
  config: OpenAiCompatibleProviderConfig,
  options: { egress: EgressFetch; env?: Record<string, string | undefined> },
): OpenAiCompatibleProvider {
  const env = options.env ?? process.env;
  let apiKey: string | undefined;
  if (config.api_key_env) {
    apiKey = env[config.api_key_env]?.trim();
    if (!apiKey) {
      throw new AppError(
        'config_invalid',
        `Le fournisseur « ${config.id} » attend sa clé d’API dans la variable d’environnement ${config.api_key_env}, qui est vide ou absente.`,
      );
    }
  }
  const baseUrl = config.base_url.replace(/\/+$/, '');
  // Idle connections are closed after 4 s, under the usual 5 s of servers that announce nothing.
  const agentOptions = { keepAlive: true, maxSockets: config.max_concurrency, timeout: 4000 };
  const ctx: ProviderContext = {
    id: config.id,
    baseUrl,
    apiKey,
    timeoutMs: config.timeout_ms,
    egress: options.egress,
    agent: baseUrl.startsWith('https:') ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions),
    semaphore: new Semaphore(config.max_concurrency),
  };
  const base = { provider: config.id, local: config.local };
  return {
    id: config.id,
    local: config.local,
    models: config.models,
    chatModel: (model) => ({
      ...base,
      id: model,
      complete: (req: ChatRequest) => completeChat(ctx, req),
      stream: (req: ChatRequest) => streamChat(ctx, req),
    }),
    embeddingModel: (model) => ({
      ...base,
      id: model,
      embed: (texts, signal) => embedTexts(ctx, model, texts, signal),
    }),
    listModels: (signal) => listUpstreamModels(ctx, signal),
    rerank: (model, query, documents, signal, api) => rerankTexts(ctx, model, query, documents, signal, api),
  };
}
