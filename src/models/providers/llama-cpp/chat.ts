import type { ChatHistoryItem } from 'node-llama-cpp';
import { AppError, isAppError } from '../../../shared/errors.js';
import { AsyncQueue } from '../../async-queue.js';
import type { Semaphore } from '../../semaphore.js';
import type { ChatDelta, ChatMessage, ChatRequest, ChatResult } from '../../spec.js';
import { UpstreamError, throwIfCallerAborted } from '../../upstream-error.js';
import type { LlamaEngine } from './engine.js';

/** Splits OpenAI-style messages into llama chat history + the prompt (the last user/tool turn). */
export function toHistory(messages: ChatMessage[]): { history: ChatHistoryItem[]; prompt: string } {
  const last = messages.at(-1);
  if (!last || last.role === 'assistant' || last.role === 'system') {
    throw new AppError('invalid_request', 'Le dernier message doit venir de l’utilisateur.', {
      param: 'messages',
    });
  }
  const history: ChatHistoryItem[] = messages
    .slice(0, -1)
    .map((m) =>
      m.role === 'system'
        ? { type: 'system', text: m.content }
        : m.role === 'assistant'
          ? { type: 'model', response: [m.content] }
          : { type: 'user', text: m.content },
    );
  return { history, prompt: last.content };
}

export interface LlamaChatDeps {
  providerId: string;
  engine: LlamaEngine;
  /** One generation at a time on the single context sequence. */
  semaphore: Semaphore;
  defaultMaxTokens: number;
}

export async function generate(
  deps: LlamaChatDeps,
  req: ChatRequest,
  onText?: (text: string) => void,
): Promise<ChatResult> {
  const { history, prompt } = toHistory(req.messages);
  throwIfCallerAborted(req.signal);
  const release = await deps.semaphore.acquire(req.signal);
  try {
    const { LlamaChatSession } = await import('node-llama-cpp');
    const sequence = await deps.engine.chatSequence();
    const before = sequence.tokenMeter.getState();
    const session = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      session.setChatHistory(history);
      const meta = await session.promptWithMeta(prompt, {
        signal: req.signal,
        stopOnAbortSignal: false,
        maxTokens: req.max_tokens ?? deps.defaultMaxTokens,
        temperature: req.temperature,
        topP: req.top_p,
        seed: req.seed,
        customStopTriggers: req.stop?.filter((s) => s.length > 0),
        onTextChunk: onText,
      });
      const used = sequence.tokenMeter.diff(before);
      return {
        text: meta.responseText,
        finishReason: meta.stopReason === 'maxTokens' ? 'length' : 'stop',
        usage: { promptTokens: used.usedInputTokens, completionTokens: used.usedOutputTokens },
      };
    } finally {
      session.dispose();
      await sequence.clearHistory();
    }
  } catch (e) {
    throwIfCallerAborted(req.signal);
    if (isAppError(e)) throw e;
    // llama.cpp errors (prompt larger than the context, native failures) become one clean error.
    throw new UpstreamError(
      'upstream_error',
      `Le modèle local « ${deps.providerId} » n’a pas pu générer de réponse (conversation peut-être trop longue pour son contexte).`,
      { retryable: false, cause: e },
    );
  } finally {
    release();
  }
}

/** Lazy: generation starts on the first read; leaving early stops it. */
export async function* streamGenerate(deps: LlamaChatDeps, req: ChatRequest): AsyncGenerator<ChatDelta> {
  const stop = new AbortController();
  const queue = new AsyncQueue<ChatDelta>();
  const signal = AbortSignal.any([req.signal, stop.signal]);
  generate(deps, { ...req, signal }, (text) => queue.push({ type: 'text', text })).then(
    (r) => {
      queue.push({ type: 'finish', finishReason: r.finishReason, usage: r.usage });
      queue.end();
    },
    (e: unknown) => queue.fail(req.signal.aborted ? req.signal.reason : e),
  );
  try {
    yield* queue;
  } finally {
    stop.abort(new DOMException('Lecture interrompue', 'AbortError'));
  }
}
