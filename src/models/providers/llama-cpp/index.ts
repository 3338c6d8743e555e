import type { LlamaCppProviderConfig } from '../../config.js';
import { Semaphore } from '../../semaphore.js';
import type { ChatModel, EmbeddingModel } from '../../spec.js';
import { generate, streamGenerate, type LlamaChatDeps } from './chat.js';
import { embedLocal } from './embeddings.js';
import { LlamaEngine } from './engine.js';

export interface LlamaCppProvider {
  readonly id: string;
  readonly local: true;
  readonly models: readonly string[];
  chatModel(model: string): ChatModel;
  /** Only when the configuration says `embedding: true`. */
  embeddingModel(model: string): EmbeddingModel;
  /** Loads the model now (for `guichet doctor` or warm-up); otherwise it loads on first use. */
  warmUp(): Promise<void>;
  dispose(): Promise<void>;
}

export function createLlamaCppProvider(config: LlamaCppProviderConfig): LlamaCppProvider {
  const engine = new LlamaEngine(config);
  const deps: LlamaChatDeps = {
    providerId: config.id,
    engine,
    semaphore: new Semaphore(1),
    defaultMaxTokens: Math.max(16, Math.floor(config.context_size / 2)),
  };
  const embeddingSemaphore = new Semaphore(1);
  const base = { provider: config.id, local: true as const };
  return {
    id: config.id,
    local: true,
    models: config.models,
    chatModel: (model) => ({
      ...base,
      id: model,
      complete: (req) => generate(deps, req),
      stream: (req) => streamGenerate(deps, req),
    }),
    embeddingModel: (model) => ({
      ...base,
      id: model,
      get dimensions() {
        return engine.dimensions;
      },
      embed: (texts, signal) => embedLocal(engine, embeddingSemaphore, texts, signal),
    }),
    warmUp: async () => {
      await engine.model();
    },
    dispose: () => engine.dispose(),
  };
}
