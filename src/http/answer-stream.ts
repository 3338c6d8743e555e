/**
 * The one streaming-answer path of the HTTP layer, shared by `/v1/chat/completions` and the web
 * UI's conversations: OpenAI chunks (role, text deltas, finish), a final chunk with the citations
 * and the `guichet` marker, usage reported once, and what to do with the result or with an
 * interrupted answer (the conversations keep it). The plan it streams was prepared under the
 * organisation's privacy policy (`prepareAnswer` requires it).
 */
import type { Context } from 'hono';
import {
  streamAnswer,
  type AnswerDeps,
  type AnswerPlan,
  type AnswerResult,
} from '../usecases/answer-question.js';
import type { AppEnv } from './env.js';
import { sseResponse, streamErrorData } from './sse.js';
import { StreamMeter } from './usage-hook.js';
import { marker } from '../usecases/ai-marker.js';

export { marker };

export function usageJson(r: AnswerResult) {
  return {
    prompt_tokens: r.usage.promptTokens,
    completion_tokens: r.usage.completionTokens,
    total_tokens: r.usage.promptTokens + r.usage.completionTokens,
  };
}

/**
 * The JSON of a stream's chunks. A text chunk is the bytes `chunk({ content: text }, null)` gives,
 * its constant part serialised once: one JSON.stringify of the text per relayed token.
 */
export function chunkJson(id: string, created: number, model: string) {
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra?: Record<string, unknown>) =>
    JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    });
  const tail = '},"finish_reason":null}]}';
  const head = `${chunk({}, null).slice(0, -tail.length - 1)}{"content":`;
  return { chunk, textChunk: (text: string) => `${head}${JSON.stringify(text)}${tail}` };
}

export interface AnswerStreamOptions {
  deps: AnswerDeps;
  plan: AnswerPlan;
  id: string;
  created: number;
  /** The model named in the chunks (as the client asked for it). */
  model: string;
  /** Aborted when the client goes away; `signal` is the plan's (client and this controller). */
  controller: AbortController;
  signal: AbortSignal;
  /** When the request started (time to first token). */
  started: number;
  /** `stream_options.include_usage`: usage in the final chunk. */
  includeUsage?: boolean;
  /** Fields of the first chunk besides the role (a conversation's ids). */
  firstExtra?: Record<string, unknown>;
  /** The complete answer, before its final chunks are sent (a conversation keeps it). */
  onResult?: (r: AnswerResult) => Promise<unknown>;
  /** No complete answer (client gone, upstream failure): the text streamed so far. */
  onInterrupted?: (text: string) => Promise<unknown>;
}

/** Streams an answer plan as OpenAI chunks over SSE. */
export function answerStreamResponse(c: Context<AppEnv>, o: AnswerStreamOptions): Response {
  const { chunk, textChunk } = chunkJson(o.id, o.created, o.model);
  const noSource = o.plan.fixedAnswer !== null;
  return sseResponse(
    c,
    () => o.controller.abort(),
    async (out) => {
      let ttftMs: number | null = null;
      let text = '';
      let done = false;
      const meter = new StreamMeter(c, {
        model: o.plan.model,
        promptMessages: o.plan.fixedAnswer === null ? o.plan.messages : null,
      });
      try {
        await out.send(chunk({ role: 'assistant', content: '' }, null, o.firstExtra));
        for await (const event of streamAnswer(o.deps, o.plan)) {
          if (event.type === 'text') {
            ttftMs ??= performance.now() - o.started;
            meter.add(event.text);
            if (o.onInterrupted) text += event.text;
            // A promise only when the client reads slowly: then the upstream waits too.
            const slow = out.send(textChunk(event.text));
            if (slow) await slow;
            continue;
          }
          const r = event.result;
          await o.onResult?.(r);
          done = true;
          await out.send(chunk({}, r.finishReason));
          await out.send(
            JSON.stringify({
              id: o.id,
              object: 'chat.completion.chunk',
              created: o.created,
              model: o.model,
              choices: [],
              ...(r.citations ? { citations: r.citations } : {}),
              guichet: marker(r, noSource),
              ...(o.includeUsage ? { usage: usageJson(r) } : {}),
            }),
          );
          meter.report({ model: r.servedBy?.key ?? o.model, usage: r.usage, ttftMs });
        }
        await out.send('[DONE]');
      } catch (e) {
        if (o.signal.aborted) return;
        await out.send(streamErrorData(e));
        await out.send('[DONE]');
      } finally {
        // Ended early (client gone, timeout, upstream error): what was produced is charged.
        meter.settle({ ttftMs, clientGone: c.req.raw.signal.aborted || o.controller.signal.aborted });
        // An interrupted answer is kept as it stands, marked incomplete (never as a full answer).
        if (!done) await o.onInterrupted?.(text).catch(() => undefined);
      }
    },
  );
}
