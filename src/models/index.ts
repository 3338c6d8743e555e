export * from './spec.js';
export * from './config.js';
export { UpstreamError, isRetryable, isRetryableStatus } from './upstream-error.js';
export {
  createEgressFetch,
  type EgressFetch,
  type EgressRequestInfo,
  type EgressStats,
} from './http-client.js';
export {
  ModelRouter,
  type ModelRef,
  type RoutedChatResult,
  type RoutedDelta,
  type RoutedEmbeddingResult,
  type RoutedRequest,
} from './router.js';
export type { ModelListing } from './model-table.js';
export { CircuitBreaker, type BreakerOptions, type BreakerState } from './circuit-breaker.js';
export { createModelStack, providerOrigins, type ModelStack, type Provider } from './create-model-stack.js';
export {
  createOpenAiCompatibleProvider,
  type OpenAiCompatibleProvider,
} from './providers/openai-compatible/index.js';
export { createLlamaCppProvider, type LlamaCppProvider } from './providers/llama-cpp/index.js';
export { estimateTokens, estimatePromptTokens } from './usage.js';
