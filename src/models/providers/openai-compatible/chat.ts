import type { ChatDelta, ChatRequest, ChatResult, FinishReason, Usage } from '../../spec.js';
import { estimatePromptTokens, estimateTokens } from '../../usage.js';
import { UpstreamError } from '../../upstream-error.js';
import { chatCompletionSchema, readChatChunk, upstreamErrorSchema, type UpstreamUsage } from './schemas.js';
import { SseDataParser, SseLineTooLongError } from './sse.js';
import {
  malformed,
  openCall,
  requestJson,
  safeJson,
  toUpstreamError,
  type ProviderContext,
} from './transport.js';

/** `guichet_*` keys of `extra` are for Guichet's built-in models (sources, query): never sent upstream. */
function passThrough(extra: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(extra ?? {}).filter(([k]) => !k.startsWith('guichet_')));
}

function requestBody(req: ChatRequest, stream: boolean): Record<string, unknown> {
  return {
    ...passThrough(req.extra),
    model: req.model,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    temperature: req.temperature,
    top_p: req.top_p,
    max_tokens: req.max_tokens,
    stop: req.stop,
    seed: req.seed,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  };
}

export function mapFinishReason(reason: string | null | undefined): FinishReason {
  if (reason === 'length') return 'length';
  if (reason === 'content_filter' || reason === 'error') return 'error';
  return 'stop';
}

function usageOf(upstream: UpstreamUsage, req: ChatRequest, text: string): Usage {
  return {
    promptTokens: upstream?.prompt_tokens ?? estimatePromptTokens(req.messages),
    completionTokens: upstream?.completion_tokens ?? estimateTokens(text),
  };
}

export async function completeChat(ctx: ProviderContext, req: ChatRequest): Promise<ChatResult> {
  const body = await requestJson(
    ctx,
    '/chat/completions',
    requestBody(req, false),
    chatCompletionSchema,
    req.signal,
  );
  const choice = body.choices[0];
  const text = choice.message.content ?? '';
  return { text, finishReason: mapFinishReason(choice.finish_reason), usage: usageOf(body.usage, req, text) };
}

const DONE = Symbol('[DONE]');

export async function* streamChat(ctx: ProviderContext, req: ChatRequest): AsyncGenerator<ChatDelta> {
  const call = await openCall(ctx, '/chat/completions', requestBody(req, true), req.signal);
  let text = '';
  let finish: string | null | undefined;
  let usage: UpstreamUsage = null;
  let ended = false;
  try {
    const type = call.response.header('content-type') ?? '';
    if (type.includes('application/json')) {
      // Some servers ignore `stream: true` and answer in one piece.
      const parsed = chatCompletionSchema.safeParse(safeJson(await call.response.text()).value);
      if (!parsed.success) throw malformed(ctx, 'structure inattendue', parsed.error);
      text = parsed.data.choices[0].message.content ?? '';
      if (text) yield { type: 'text', text };
      yield {
        type: 'finish',
        finishReason: mapFinishReason(parsed.data.choices[0].finish_reason),
        usage: usageOf(parsed.data.usage, req, text),
      };
      ended = true;
      return;
    }
    // The events of each network chunk are parsed at once (no promise per event); the body is not
    // destroyed when the loop stops at [DONE]: the connection goes back to the pool.
    const parser = new SseDataParser();
    /** One event's data: its text, if any; DONE at `[DONE]`. */
    const onEvent = (data: string): string | typeof DONE | null => {
      call.deadline.reset();
      if (data.trim() === '[DONE]') return DONE;
      const json = safeJson(data);
      if (!json.ok) throw malformed(ctx, 'événement SSE qui n’est pas du JSON');
      // Only an event with an `error` member can be an error event: the others are parsed once.
      const upstreamError =
        json.value !== null && typeof json.value === 'object' && 'error' in json.value
          ? upstreamErrorSchema.safeParse(json.value)
          : null;
      if (upstreamError?.success) {
        throw new UpstreamError(
          'upstream_error',
          `Le fournisseur « ${ctx.id} » a interrompu la génération.`,
          {
            retryable: false,
            cause: upstreamError.data.error,
          },
        );
      }
      const chunk = readChatChunk(json.value);
      if (!chunk.success) throw malformed(ctx, 'événement SSE de structure inattendue', chunk.error);
      if (chunk.data.usage) usage = chunk.data.usage;
      const choice = chunk.data.choices[0];
      if (!choice) return null;
      if (choice.finish_reason) finish = choice.finish_reason;
      const piece = choice.delta?.content;
      if (!piece) return null;
      text += piece;
      return piece;
    };
    read: {
      for await (const value of call.response.chunks()) {
        for (const data of parser.push(value)) {
          const piece = onEvent(data);
          if (piece === DONE) {
            ended = true;
            break read;
          }
          if (piece !== null) yield { type: 'text', text: piece };
        }
        parser.check();
      }
      for (const data of parser.end()) {
        const piece = onEvent(data);
        if (piece === DONE) {
          ended = true;
          break read;
        }
        if (piece !== null) yield { type: 'text', text: piece };
      }
      parser.check();
    }
    if (!ended && !finish) throw malformed(ctx, 'flux interrompu avant la fin de la réponse');
    ended = true;
    yield { type: 'finish', finishReason: mapFinishReason(finish), usage: usageOf(usage, req, text) };
  } catch (e) {
    if (e instanceof SseLineTooLongError) throw malformed(ctx, 'flux SSE illisible', e);
    throw toUpstreamError(e, ctx, call.deadline, req.signal);
  } finally {
    // Consumer stopped early, error or abort: close the upstream connection.
    if (!ended) call.deadline.cancel();
    call.close();
  }
}
