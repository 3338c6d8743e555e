/**
 * Specs only (no behaviour): every language-model adapter implements these. Adapters are chosen from
 * configuration (`config.ts`) and reached through the `ModelRouter` (`router.ts`).
 */

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatRequest {
  /** Upstream model id (what the provider itself calls the model). */
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  seed?: number;
  /** Aborting it cancels the generation (and closes the upstream connection). */
  signal: AbortSignal;
  /** Provider-specific parameters passed through as they are. */
  extra?: Record<string, unknown>;
}

export type FinishReason = 'stop' | 'length' | 'error';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatResult {
  text: string;
  finishReason: FinishReason;
  usage: Usage;
}

/** A piece of generated text. */
export interface TextDelta {
  type: 'text';
  text: string;
}

/** Always the last item of a stream, exactly once. */
export interface FinishDelta {
  type: 'finish';
  finishReason: FinishReason;
  usage: Usage;
}

export type ChatDelta = TextDelta | FinishDelta;

export interface ChatModel {
  /** Model id as callers know it (for an adapter: the upstream id). */
  readonly id: string;
  /** Provider id from configuration (or `guichet` for built-in models such as `extractive`). */
  readonly provider: string;
  /** True when the model runs on the authority's own servers (no personal data leaves). */
  readonly local: boolean;
  complete(req: ChatRequest): Promise<ChatResult>;
  /** Yields text deltas then one final `finish` delta. */
  stream(req: ChatRequest): AsyncIterable<ChatDelta>;
}

export interface EmbeddingResult {
  vectors: Float32Array[];
  promptTokens: number;
}

export interface EmbeddingModel {
  readonly id: string;
  readonly provider: string;
  readonly local: boolean;
  /** Vector size when known (for a local model: known once it is loaded). */
  readonly dimensions?: number;
  embed(texts: string[], signal: AbortSignal): Promise<EmbeddingResult>;
}

/** Provider id reserved for models built into Guichet and added with `router.register()`. */
export const BUILTIN_PROVIDER = 'guichet';
