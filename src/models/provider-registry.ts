/**
 * The provider registry: each provider type, its factory, and its sovereignty facts (where it
 * sends text, whether it runs on the authority's servers, who operates it). The model stack, the
 * egress allow-list, the privacy policy and the data-flow report all read these facts here, so a
 * provider type added to the registry is seen by every one of them.
 */
import type { ChatModel, EmbeddingModel } from './spec.js';
import type {
  LlamaCppProviderConfig,
  OpenAiCompatibleProviderConfig,
  ProviderConfig,
  Sovereignty,
} from './config.js';
import type { EgressFetch } from './http-client.js';
import { createLlamaCppProvider, type LlamaCppProvider } from './providers/llama-cpp/index.js';
import {
  createOpenAiCompatibleProvider,
  type OpenAiCompatibleProvider,
} from './providers/openai-compatible/index.js';

export type Provider = OpenAiCompatibleProvider | LlamaCppProvider;

/** What a configured provider gives the router. */
export interface BuiltProvider {
  /** The adapter itself (the doctor asks it which models it serves). */
  provider: Provider;
  chatModels: ChatModel[];
  embeddingModels: EmbeddingModel[];
  /** Frees what the provider holds (a loaded model); called when the router closes. */
  dispose?: () => Promise<void>;
}

export interface ProviderFactoryContext {
  egress: EgressFetch;
  env?: Record<string, string | undefined>;
}

export interface ProviderKind<C extends ProviderConfig> {
  /** Outside origins it sends text to ([] = runs in this process). */
  origins(config: C): string[];
  /** True when it runs on the authority's own servers. */
  local(config: C): boolean;
  /** Operator, country, certifications and foreign laws, as declared. */
  sovereignty(config: C): Sovereignty | undefined;
  create(config: C, ctx: ProviderFactoryContext): BuiltProvider;
}

type Registry = { [T in ProviderConfig['type']]: ProviderKind<Extract<ProviderConfig, { type: T }>> };

export const PROVIDER_KINDS: Registry = {
  'openai-compatible': {
    origins: (c: OpenAiCompatibleProviderConfig) => [new URL(c.base_url).origin],
    local: (c) => c.local,
    sovereignty: (c) => c.sovereignty,
    create: (c, ctx) => {
      const p = createOpenAiCompatibleProvider(c, { egress: ctx.egress, env: ctx.env });
      return {
        provider: p,
        chatModels: c.models.map((m) => p.chatModel(m)),
        embeddingModels: c.models.map((m) => p.embeddingModel(m)),
      };
    },
  },
  'llama-cpp': {
    origins: () => [],
    local: () => true,
    sovereignty: () => undefined,
    create: (c: LlamaCppProviderConfig) => {
      const p = createLlamaCppProvider(c);
      return {
        provider: p,
        chatModels: c.models.map((m) => p.chatModel(m)),
        embeddingModels: c.embedding ? c.models.map((m) => p.embeddingModel(m)) : [],
        dispose: async () => p.dispose(),
      };
    },
  },
};

function kindOf<C extends ProviderConfig>(config: C): ProviderKind<C> {
  return PROVIDER_KINDS[config.type] as unknown as ProviderKind<C>;
}

/** The sovereignty facts of a configured provider. */
export function providerFacts(config: ProviderConfig): {
  origins: string[];
  local: boolean;
  sovereignty: Sovereignty | undefined;
} {
  const kind = kindOf(config);
  return { origins: kind.origins(config), local: kind.local(config), sovereignty: kind.sovereignty(config) };
}

export function buildProvider(config: ProviderConfig, ctx: ProviderFactoryContext): BuiltProvider {
  return kindOf(config).create(config, ctx);
}
