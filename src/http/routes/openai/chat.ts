import { randomUUID } from 'node:crypto';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ChatMessage } from '../../../models/spec.js';
import type { Services } from '../../../services.js';
import { AppError } from '../../../shared/errors.js';
import {
  answerDeps,
  completeAnswer,
  prepareAnswer,
  type RetrievalOptions,
} from '../../../usecases/answer-question.js';
import type { AppEnv } from '../../env.js';
import { ChatCompletionRequest, ChatCompletionResponse } from './chat-schemas.js';
import { assertReadableCollections, defaultCollectionsFor } from '../../../usecases/visible-collections.js';
import { reportUsage } from '../../usage-hook.js';
import { answerStreamResponse, chunkJson, marker, usageJson } from '../../answer-stream.js';

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

export { chunkJson };

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
    const deps = answerDeps(services);
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
      privacy: await services.privacy.forOrg(orgId),
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

    return answerStreamResponse(c, {
      deps,
      plan,
      id,
      created,
      model: body.model,
      controller: controller!,
      signal,
      started: performance.now(),
      includeUsage: body.stream_options?.include_usage === true,
    }) as never;
  });
}
