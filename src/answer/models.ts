import type { Config } from '../config/schema.js';
import { createModelStack, providerOrigins, type ModelStack } from '../models/create-model-stack.js';
import { createEgressFetch } from '../models/http-client.js';
import { knowledgeOrigins } from '../knowledge/config.js';
import type { ModelAliasConfig } from '../models/config.js';
import { BUILTIN_PROVIDER } from '../models/spec.js';
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

/** Builds providers and the router (with `extractive` and the `guichet` alias). */
export function buildModels(
  config: Config,
  env: Record<string, string | undefined> = process.env,
): ModelStack {
  const providers = { providers: config.providers, models: withGuichetAlias(config.models) };
  // One egress client: the providers' origins and those of the corpus refresh (DILA) are declared.
  const egress = createEgressFetch([...providerOrigins(providers), ...knowledgeOrigins(config.knowledge)]);
  const stack = createModelStack(providers, { env, egress });
  stack.router.register(new ExtractiveModel());
  return stack;
}
