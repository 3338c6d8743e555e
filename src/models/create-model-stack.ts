import type { BreakerOptions } from './circuit-breaker.js';
import type { ProvidersConfig } from './config.js';
import { createEgressFetch, type EgressFetch, type EgressRequestInfo } from './http-client.js';
import { createLlamaCppProvider, type LlamaCppProvider } from './providers/llama-cpp/index.js';
import {
  createOpenAiCompatibleProvider,
  type OpenAiCompatibleProvider,
} from './providers/openai-compatible/index.js';
import { ModelRouter } from './router.js';

export type Provider = OpenAiCompatibleProvider | LlamaCppProvider;

export interface ModelStack {
  router: ModelRouter;
  /** The egress-controlled client every upstream call went through (`stats()` for data flows). */
  egress: EgressFetch;
  providers: Provider[];
}

/** Origins the configured providers reach (the egress allow-list). */
export function providerOrigins(config: ProvidersConfig): string[] {
  return config.providers.flatMap((p) =>
    p.type === 'openai-compatible' ? [new URL(p.base_url).origin] : [],
  );
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
    if (p.type === 'openai-compatible') {
      const provider = createOpenAiCompatibleProvider(p, { egress, env: options.env });
      providers.push(provider);
      for (const m of p.models) {
        router.register(provider.chatModel(m));
        router.addEmbedding(provider.embeddingModel(m));
      }
    } else {
      const provider = createLlamaCppProvider(p);
      providers.push(provider);
      router.onClose(() => provider.dispose());
      for (const m of p.models) {
        router.register(provider.chatModel(m));
        if (p.embedding) router.addEmbedding(provider.embeddingModel(m));
      }
    }
  }
  return { router, egress, providers };
}
