import type { Config } from '../config/schema.js';
import { createModelStack, providerOrigins, type ModelStack } from '../models/create-model-stack.js';
import { createEgressFetch } from '../models/http-client.js';
import { knowledgeOrigins } from '../knowledge/config.js';
import type { ModelAliasConfig } from '../models/config.js';
import { BUILTIN_PROVIDER } from '../models/spec.js';
import type { QueryEmbedder } from '../usecases/search-knowledge.js';
import { EXTRACTIVE_MODEL_ID, ExtractiveModel } from './extractive.js';

export const GUICHET_ALIAS = 'guichet';
const EXTRACTIVE_TARGET = `${BUILTIN_PROVIDER}:${EXTRACTIVE_MODEL_ID}`;

/**
 * The `guichet` alias: as configured, with the extractive model always last, so that an advisor
 * still gets extracts of the sources when every generative model is down. With no configured
 * alias, `guichet` is the extractive model alone.
 */
export function withGuichetAlias(models: ModelAliasConfig[]): ModelAliasConfig[] {
  const configured = models.find((m) => m.id === GUICHET_ALIAS);
  const others = models.filter((m) => m.id !== GUICHET_ALIAS);
  const targets = configured ? configured.targets.filter((t) => t !== EXTRACTIVE_TARGET) : [];
  return [...others, { id: GUICHET_ALIAS, targets: [...targets, EXTRACTIVE_TARGET] }];
}

export interface Models extends ModelStack {
  embedQuery?: QueryEmbedder;
}

/** Builds providers, the router (with `extractive` and the `guichet` alias) and the query embedder. */
export function buildModels(config: Config, env: Record<string, string | undefined> = process.env): Models {
  const providers = { providers: config.providers, models: withGuichetAlias(config.models) };
  // One egress client: the providers' origins and those of the corpus refresh (DILA) are declared.
  const egress = createEgressFetch([...providerOrigins(providers), ...knowledgeOrigins(config.knowledge)]);
  const stack = createModelStack(providers, { env, egress });
  stack.router.register(new ExtractiveModel());
  const embeddingModel = config.search.embedding_model;
  let embedQuery: QueryEmbedder | undefined;
  if (embeddingModel) {
    stack.router.resolve(embeddingModel, 'embedding');
    embedQuery = async (text, signal) => {
      const r = await stack.router.embed(embeddingModel, [text], signal ?? new AbortController().signal);
      return r.vectors[0];
    };
  }
  return { ...stack, embedQuery };
}
