import type { ChatMessage } from './spec.js';

/** Rough token count (≈ 4 characters per token) used when an upstream reports no usage. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Estimated prompt size: content plus a few tokens of chat-template overhead per message. */
export function estimatePromptTokens(messages: ChatMessage[]): number {
  return messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
}
