import { existsSync } from 'node:fs';
import type {
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaEmbeddingContext,
  LlamaModel,
} from 'node-llama-cpp';
import type { LlamaCppProviderConfig } from '../../config.js';
import { UpstreamError } from '../../upstream-error.js';

/**
 * Loads one GGUF in-process, lazily and once. Never builds nor downloads anything: only the
 * prebuilt CPU binaries shipped with the npm package are used (`build: 'never'`, `skipDownload`).
 */

let llamaPromise: Promise<Llama> | undefined;

function sharedLlama(): Promise<Llama> {
  llamaPromise ??= import('node-llama-cpp').then(({ getLlama, LlamaLogLevel }) =>
    getLlama({
      gpu: false,
      build: 'never',
      skipDownload: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.error,
    }),
  );
  llamaPromise.catch(() => (llamaPromise = undefined));
  return llamaPromise;
}

export class LlamaEngine {
  private modelPromise?: Promise<LlamaModel>;
  private chatPromise?: Promise<LlamaContext>;
  private sequence?: LlamaContextSequence;
  private embeddingPromise?: Promise<LlamaEmbeddingContext>;

  constructor(private readonly config: LlamaCppProviderConfig) {}

  /** Known once the model is loaded. */
  dimensions?: number;

  model(): Promise<LlamaModel> {
    this.modelPromise ??= this.loadModel();
    return this.modelPromise;
  }

  chatContext(): Promise<LlamaContext> {
    this.chatPromise ??= this.guard(async () =>
      (await this.model()).createContext({
        contextSize: this.config.context_size,
        threads: this.config.threads,
        sequences: 1,
      }),
    );
    return this.chatPromise;
  }

  /** The single sequence chat generations share (callers serialise their use of it). */
  async chatSequence(): Promise<LlamaContextSequence> {
    const context = await this.chatContext();
    if (!this.sequence || this.sequence.disposed) this.sequence = context.getSequence();
    return this.sequence;
  }

  embeddingContext(): Promise<LlamaEmbeddingContext> {
    this.embeddingPromise ??= this.guard(async () =>
      (await this.model()).createEmbeddingContext({
        contextSize: this.config.context_size,
        threads: this.config.threads,
      }),
    );
    return this.embeddingPromise;
  }

  async dispose(): Promise<void> {
    const [model] = await Promise.allSettled([this.modelPromise]);
    this.modelPromise = this.chatPromise = this.embeddingPromise = this.sequence = undefined;
    if (model.status === 'fulfilled') await model.value?.dispose();
  }

  private async loadModel(): Promise<LlamaModel> {
    const path = this.config.model_path;
    if (!existsSync(path)) {
      this.modelPromise = undefined;
      throw this.unavailable(`le fichier ${path} est introuvable`);
    }
    try {
      const model = await (await sharedLlama()).loadModel({ modelPath: path });
      this.dimensions = model.embeddingVectorSize;
      return model;
    } catch (e) {
      this.modelPromise = undefined;
      throw this.unavailable('le chargement a échoué', e);
    }
  }

  /** A failed creation is forgotten so that the next request tries again. */
  private guard<T>(create: () => Promise<T>): Promise<T> {
    const p = create().catch((e: unknown) => {
      if (this.chatPromise === p) this.chatPromise = undefined;
      if (this.embeddingPromise === p) this.embeddingPromise = undefined;
      throw e instanceof UpstreamError ? e : this.unavailable('la création du contexte a échoué', e);
    });
    return p;
  }

  private unavailable(why: string, cause?: unknown): UpstreamError {
    return new UpstreamError(
      'service_unavailable',
      `Le modèle local « ${this.config.id} » est indisponible : ${why}.`,
      {
        retryable: true,
        cause,
      },
    );
  }
}
