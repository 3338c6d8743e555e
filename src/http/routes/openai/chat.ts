import { randomUUID } from 'node:crypto';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ChatMessage } from '../../../models/spec.js';
import type { Services } from '../../../services.js';
import { AppError } from '../../../shared/errors.js';
import {
  completeAnswer,
  prepareAnswer,
  streamAnswer,
  type AnswerResult,
  type RetrievalOptions,
} from '../../../usecases/answer-question.js';
import type { AppEnv } from '../../env.js';
import { ChatCompletionRequest, ChatCompletionResponse } from './chat-schemas.js';
import { assertReadableCollections, defaultCollectionsFor } from '../../../usecases/visible-collections.js';
import { reportUsage, StreamMeter } from '../../usage-hook.js';
import { answerPrivacyFor } from '../../../privacy/answer-privacy.js';
import { sseResponse, streamErrorData } from '../../sse.js';

export const GUICHET_MODEL = 'guichet';

const route = createRoute({
  method: 'post',
  path: '/v1/chat/completions',
  summary:
    'Réponse à une conversation (compatible OpenAI), fondée sur les sources pour le modèle « guichet »',
  request: { body: { content: { 'application/json': { schema: ChatCompletionRequest } }, required: true } },
  responses: {
    200: {
      description: 'Réponse (JSON, ou flux SSE au format OpenAI si stream=true)',
      content: {
        'application/json': { schema: ChatCompletionResponse },
        'text/event-stream': { schema: { type: 'string' } },
      },
    },
  },
});

function toMessages(body: ChatCompletionRequest): ChatMessage[] {
  return body.messages.map((m, i) => {
    const content =
      typeof m.content === 'string'
        ? m.content
        : Array.isArray(m.content)
          ? m.content.map((p) => ('text' in p && typeof p.text === 'string' ? p.text : '')).join('')
          : '';
    if (m.role !== 'assistant' && !content.trim() && i === body.messages.length - 1) {
      throw new AppError('invalid_request', 'Le dernier message est vide.', {
        param: `messages[${i}].content`,
      });
    }
    return { role: m.role === 'developer' ? 'system' : m.role, content };
  });
}

function usageJson(r: AnswerResult) {
  return {
    prompt_tokens: r.usage.promptTokens,
    completion_tokens: r.usage.completionTokens,
    total_tokens: r.usage.promptTokens + r.usage.completionTokens,
  };
}

function marker(r: AnswerResult, noSource: boolean) {
  return {
    ai_generated: true as const,
    model: r.servedBy?.key ?? null,
    sources: r.citations?.length ?? 0,
    no_source: noSource,
    ...(r.privacy
      ? { pseudonymised: r.privacy.pseudonymised, unknown_placeholders: r.privacy.unknownPlaceholders }
      : {}),
  };
}

/**
 * The JSON of a stream's chunks. A text chunk is the bytes `chunk({ content: text }, null)` gives,
 * its constant part serialised once: one JSON.stringify of the text per relayed token.
 */
export function chunkJson(id: string, created: number, model: string) {
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
  const tail = '},"finish_reason":null}]}';
  const head = `${chunk({}, null).slice(0, -tail.length - 1)}{"content":`;
  return { chunk, textChunk: (text: string) => `${head}${JSON.stringify(text)}${tail}` };
}

export function registerChatRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const messages = toMessages(body);
    const orgId = (c.var as { principal?: { orgId: string } }).principal?.orgId ?? 'default';
    let retrieval: RetrievalOptions | null = null;
    if (body.model === GUICHET_MODEL || body.guichet?.search) {
      const asked = body.guichet?.search?.collections;
      retrieval = {
        collections: asked ?? (await defaultCollectionsFor(services.store, orgId)),
        k: body.guichet?.search?.k ?? services.config.search.default_k,
      };
      if (asked) await assertReadableCollections(services.store, asked, orgId);
    }
    services.router.resolve(body.model); // unknown model → 404 before any work
    // A stream is also stopped when its client goes away mid-answer (onAbort below).
    const controller = body.stream ? new AbortController() : null;
    const signal = controller ? AbortSignal.any([c.req.raw.signal, controller.signal]) : c.req.raw.signal;
    const deps = {
      store: services.store,
      router: services.router,
      embedQuery: services.embedQuery,
      rrfK: services.config.search.rrf_k,
    };
    const stop = body.stop == null ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop];
    const plan = await prepareAnswer(deps, {
      model: body.model,
      messages,
      retrieval,
      params: {
        temperature: body.temperature ?? undefined,
        top_p: body.top_p ?? undefined,
        max_tokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
        stop,
        seed: body.seed ?? undefined,
      },
      signal,
      privacy: await answerPrivacyFor({ store: services.store, config: services.config, orgId }),
    });
    const id = `chatcmpl-${randomUUID().replace(/-/g, '')}`;
    const created = Math.floor(Date.now() / 1000);
    const noSource = plan.fixedAnswer !== null;

    if (!body.stream) {
      const result = await completeAnswer(deps, plan);
      reportUsage(c, { model: result.servedBy?.key ?? body.model, usage: result.usage, ttftMs: null });
      return c.json(
        {
          id,
          object: 'chat.completion' as const,
          created,
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant' as const, content: result.text },
              finish_reason: result.finishReason,
            },
          ],
          usage: usageJson(result),
          ...(result.citations ? { citations: result.citations } : {}),
          guichet: marker(result, noSource),
        },
        200,
      );
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const started = performance.now();
    const { chunk, textChunk } = chunkJson(id, created, body.model);
    return sseResponse(
      c,
      () => controller!.abort(),
      async (out) => {
        let ttftMs: number | null = null;
        const meter = new StreamMeter(c, {
          model: plan.model,
          promptMessages: plan.fixedAnswer === null ? plan.messages : null,
        });
        try {
          await out.send(chunk({ role: 'assistant', content: '' }, null));
          for await (const event of streamAnswer(deps, plan)) {
            if (event.type === 'text') {
              ttftMs ??= performance.now() - started;
              meter.add(event.text);
              // A promise only when the client reads slowly: then the upstream waits too.
              const slow = out.send(textChunk(event.text));
              if (slow) await slow;
              continue;
            }
            const r = event.result;
            await out.send(chunk({}, r.finishReason));
            await out.send(
              JSON.stringify({
                id,
                object: 'chat.completion.chunk',
                created,
                model: body.model,
                choices: [],
                ...(r.citations ? { citations: r.citations } : {}),
                guichet: marker(r, noSource),
                ...(includeUsage ? { usage: usageJson(r) } : {}),
              }),
            );
            meter.report({ model: r.servedBy?.key ?? body.model, usage: r.usage, ttftMs });
          }
          await out.send('[DONE]');
        } catch (e) {
          if (signal.aborted) return;
          await out.send(streamErrorData(e));
          await out.send('[DONE]');
        } finally {
          // Ended early (client gone, timeout, upstream error): what was produced is charged.
          meter.settle({ ttftMs, clientGone: c.req.raw.signal.aborted || controller!.signal.aborted });
        }
      },
    ) as never;
  });
}
