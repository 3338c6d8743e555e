import { AppError } from '../shared/errors.js';
import { CircuitBreaker, type BreakerOptions } from './circuit-breaker.js';
import type { ModelAliasConfig } from './config.js';
import { ModelTable, type ModelListing, type TargetEntry } from './model-table.js';
import type {
  ChatModel,
  ChatRequest,
  ChatResult,
  EmbeddingModel,
  EmbeddingResult,
  FinishDelta,
  TextDelta,
} from './spec.js';
import { isRetryable } from './upstream-error.js';
import { estimatePromptTokens, estimateTokens } from './usage.js';

export interface ModelRef {
  /** `provider:model`. */
  key: string;
  provider: string;
  model: string;
  local: boolean;
}
export type RoutedRequest = Omit<ChatRequest, 'model'>;
export type RoutedChatResult = ChatResult & { servedBy: ModelRef };
export type RoutedDelta = TextDelta | (FinishDelta & { servedBy: ModelRef });
export type RoutedEmbeddingResult = EmbeddingResult & { servedBy: ModelRef };

const refOf = (e: TargetEntry): ModelRef => ({
  key: e.key,
  provider: e.provider,
  model: e.model,
  local: e.local,
});

/**
 * Routes a requested model to its targets, in order. A target that fails with a retryable error
 * (timeout, 429, 5xx, connection) hands over to the next one — never once a streamed token has
 * reached the caller. Each target has a circuit breaker; open ones are skipped.
 */
export class ModelRouter {
  private readonly table: ModelTable;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly closers: Array<() => Promise<void>> = [];
  private readonly breakerOptions: BreakerOptions;

  constructor(options: { aliases?: ModelAliasConfig[]; breaker?: BreakerOptions } = {}) {
    this.table = new ModelTable(options.aliases);
    this.breakerOptions = options.breaker ?? {};
  }

  /** Adds a model built into Guichet (e.g. `extractive`), reachable by its id or `provider:id`. */
  register(model: ChatModel): void {
    this.table.add({ provider: model.provider, model: model.id, local: model.local, chat: model });
  }

  addEmbedding(model: EmbeddingModel): void {
    this.table.add({ provider: model.provider, model: model.id, local: model.local, embedding: model });
  }

  /** Called by `close()` (e.g. to free a local model). */
  onClose(closer: () => Promise<void>): void {
    this.closers.push(closer);
  }

  /** Ordered targets for a chat model; throws `model_not_found`. */
  resolve(requested: string, kind: 'chat' | 'embedding' = 'chat'): ModelRef[] {
    return this.table.resolve(requested, kind).map(refOf);
  }

  /** True when every target runs on the authority's own servers (no pseudonymisation needed). */
  isLocal(requested: string, kind: 'chat' | 'embedding' = 'chat'): boolean {
    return this.resolve(requested, kind).every((t) => t.local);
  }

  list(): ModelListing[] {
    return this.table.list();
  }

  breakerState(key: string) {
    return this.breaker(key).state;
  }

  async complete(requested: string, req: RoutedRequest): Promise<RoutedChatResult> {
    return this.attempt(requested, 'chat', req.signal, async (t) => ({
      ...(await t.chat!.complete({ ...req, model: t.model })),
      servedBy: refOf(t),
    }));
  }

  async embed(requested: string, texts: string[], signal: AbortSignal): Promise<RoutedEmbeddingResult> {
    return this.attempt(requested, 'embedding', signal, async (t) => ({
      ...(await t.embedding!.embed(texts, signal)),
      servedBy: refOf(t),
    }));
  }

  async *stream(requested: string, req: RoutedRequest): AsyncGenerator<RoutedDelta> {
    const targets = this.table.resolve(requested, 'chat');
    let lastError: unknown;
    for (const t of targets) {
      const breaker = this.breaker(t.key);
      if (!breaker.tryAcquire()) continue;
      let started = false;
      let settled = false;
      let text = '';
      let finish: FinishDelta | undefined;
      try {
        for await (const d of t.chat!.stream({ ...req, model: t.model })) {
          if (d.type === 'finish') {
            finish = d;
            break;
          }
          started = true;
          text += d.text;
          yield d;
        }
        settled = true;
        breaker.success();
        // Adapters end with a `finish` delta; tolerate one that does not.
        finish ??= {
          type: 'finish',
          finishReason: 'stop',
          usage: { promptTokens: estimatePromptTokens(req.messages), completionTokens: estimateTokens(text) },
        };
        yield { ...finish, servedBy: refOf(t) };
        return;
      } catch (e) {
        settled = true;
        if (!req.signal.aborted && isRetryable(e)) breaker.failure();
        else breaker.release();
        if (req.signal.aborted || started || !isRetryable(e)) throw e;
        lastError = e;
      } finally {
        if (!settled) breaker.release(); // the consumer stopped reading
      }
    }
    throw lastError ?? this.allOpen(requested, targets);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.closers.map((c) => c()));
  }

  private async attempt<T>(
    requested: string,
    kind: 'chat' | 'embedding',
    signal: AbortSignal,
    run: (t: TargetEntry) => Promise<T>,
  ): Promise<T> {
    const targets = this.table.resolve(requested, kind);
    let lastError: unknown;
    for (const t of targets) {
      const breaker = this.breaker(t.key);
      if (!breaker.tryAcquire()) continue;
      try {
        const result = await run(t);
        breaker.success();
        return result;
      } catch (e) {
        if (signal.aborted || !isRetryable(e)) {
          breaker.release();
          throw e;
        }
        breaker.failure();
        lastError = e;
      }
    }
    throw lastError ?? this.allOpen(requested, targets);
  }

  private allOpen(requested: string, targets: TargetEntry[]): AppError {
    const wait = Math.min(...targets.map((t) => this.breaker(t.key).retryInMs));
    const seconds = Math.max(1, Math.ceil(wait / 1000));
    return new AppError(
      'service_unavailable',
      `Le modèle « ${requested} » est momentanément indisponible ; réessayez dans ${seconds} s.`,
      {
        headers: { 'Retry-After': String(seconds) },
      },
    );
  }

  private breaker(key: string): CircuitBreaker {
    let b = this.breakers.get(key);
    if (!b) this.breakers.set(key, (b = new CircuitBreaker(this.breakerOptions)));
    return b;
  }
}
