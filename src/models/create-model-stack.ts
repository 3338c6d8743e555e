import type { BreakerOptions } from './circuit-breaker.js';
import type { ProvidersConfig } from './config.js';
import { createEgressFetch, type EgressFetch, type EgressRequestInfo } from './http-client.js';
import { buildProvider, providerFacts, type Provider } from './provider-registry.js';

export type { Provider };
import { ModelRouter } from './router.js';

export interface ModelStack {
  router: ModelRouter;
  /** The egress-controlled client every upstream call went through (`stats()` for data flows). */
  egress: EgressFetch;
  providers: Provider[];
}

/** Origins the configured providers reach (the egress allow-list). */
export function providerOrigins(config: ProvidersConfig): string[] {
  return config.providers.flatMap((p) => providerFacts(p).origins);
}

/**
 * Builds every configured provider and the router over them. Throws `config_invalid` when a
 * provider's API key variable is missing. Local models load lazily, on first use.
 */
export function createModelStack(
  config: ProvidersConfig,
  options: {
    env?: Record<string, string | undefined>;
    /** Share one egress client with the rest of Guichet; by default one is made from the providers. */
    egress?: EgressFetch;
    onRequest?: (info: EgressRequestInfo) => void;
    breaker?: BreakerOptions;
  } = {},
): ModelStack {
  const egress = options.egress ?? createEgressFetch(providerOrigins(config), options.onRequest);
  const router = new ModelRouter({ aliases: config.models, breaker: options.breaker });
  const providers: Provider[] = [];
  for (const p of config.providers) {
    // Each type's factory and facts come from the registry (models/provider-registry.ts).
    const provider = buildProvider(p, { egress, env: options.env });
    providers.push(provider.provider);
    if (provider.dispose) router.onClose(provider.dispose);
    for (const m of provider.chatModels) router.register(m);
    for (const m of provider.embeddingModels) router.addEmbedding(m);
  }
  return { router, egress, providers };
}
