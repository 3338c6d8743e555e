import { randomUUID } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services.js';
import { AppError } from '../../shared/errors.js';
import type { Conversation, StoredMessage } from '../../store/privacy-spec.js';
import { prepareAnswer, streamAnswer } from '../../usecases/answer-question.js';
import {
  FEEDBACK_TAGS,
  MAX_QUESTION_CHARS,
  historyOf,
  listOrgFeedback,
  ownConversation,
  ownerOf,
} from '../../usecases/manage-conversations.js';
import { defaultCollectionsFor } from '../../usecases/visible-collections.js';
import type { AppEnv } from '../env.js';
import { sseResponse, streamErrorData } from '../sse.js';
import { StreamMeter } from '../usage-hook.js';
import { errors } from './admin/shared.js';

/**
 * The advisor's conversations in the web UI: own history (with its retention), questions answered
 * from the sources and kept with their citations, feedback on each answer; and, for the admin,
 * the feedback received in the organisation. The model is always `guichet` (grounded answers).
 */
const IdParam = z.object({ id: z.string().min(1).max(100) });
const MessageParam = IdParam.extend({ messageId: z.string().min(1).max(100) });
const json = (schema: z.ZodTypeAny, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const ConversationSchema = z
  .object({
    id: z.string(),
    object: z.literal('conversation'),
    title: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Conversation');
const FeedbackSchema = z
  .object({
    id: z.string(),
    rating: z.number().int(),
    tags: z.array(z.string()),
    comment: z.string(),
    created_at: z.string(),
  })
  .openapi('Feedback');
const MessageSchema = z
  .object({
    id: z.string(),
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string(),
    created_at: z.string(),
    citations: z.array(z.unknown()),
    complete: z.boolean(),
    feedback: FeedbackSchema.nullable(),
  })
  .openapi('ConversationMessage');

const Ask = z
  .object({
    content: z
      .string()
      .min(1)
      .max(MAX_QUESTION_CHARS, { error: `La question dépasse ${MAX_QUESTION_CHARS} caractères.` }),
  })
  .strict()
  .openapi('AskInConversation');
const GiveFeedback = z
  .object({
    rating: z.union([z.literal(1), z.literal(-1)]).openapi({ description: '1 = utile, -1 = pas utile' }),
    tags: z.array(z.enum(FEEDBACK_TAGS)).max(FEEDBACK_TAGS.length).default([]),
    comment: z.string().max(2000).default(''),
  })
  .strict()
  .openapi('GiveFeedback');

const routes = {
  list: createRoute({
    method: 'get',
    path: '/v1/conversations',
    summary: 'Mes conversations (les plus récentes d’abord), avec leur durée de conservation',
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    responses: {
      200: json(
        z.object({
          object: z.literal('list'),
          data: z.array(ConversationSchema),
          retention_days: z.number().int().openapi({
            description: 'Conservées ce nombre de jours après le dernier message ; 0 = sans purge',
          }),
          max_question_chars: z.number().int(),
        }),
        'Conversations',
      ),
      ...errors,
    },
  }),
  create: createRoute({
    method: 'post',
    path: '/v1/conversations',
    summary: 'Ouvrir une conversation',
    request: {
      body: {
        content: {
          'application/json': { schema: z.object({ title: z.string().max(200).optional() }).strict() },
        },
        required: false,
      },
    },
    responses: { 201: json(ConversationSchema, 'Conversation ouverte'), ...errors },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/conversations/{id}',
    summary: 'Une de mes conversations avec ses messages',
    request: { params: IdParam },
    responses: {
      200: json(ConversationSchema.extend({ messages: z.array(MessageSchema) }), 'Conversation'),
      ...errors,
    },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/v1/conversations/{id}',
    summary: 'Supprimer une de mes conversations (messages et avis compris)',
    request: { params: IdParam },
    responses: {
      200: json(
        z.object({ id: z.string(), object: z.literal('conversation'), deleted: z.literal(true) }),
        'Supprimée',
      ),
      ...errors,
    },
  }),
  ask: createRoute({
    method: 'post',
    path: '/v1/conversations/{id}/messages',
    summary: 'Poser une question dans la conversation (réponse en flux SSE au format OpenAI)',
    description:
      'L’identifiant `new` ouvre une nouvelle conversation. Le premier bloc porte `guichet.conversation_id`, `guichet.user_message_id` et `guichet.message_id` ; le dernier avant ' +
      '`[DONE]` porte `citations` et `guichet`. Une réponse interrompue est conservée comme incomplète.',
    request: { params: IdParam, body: { content: { 'application/json': { schema: Ask } }, required: true } },
    responses: {
      200: { description: 'Flux SSE', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      ...errors,
    },
  }),
  feedback: createRoute({
    method: 'post',
    path: '/v1/conversations/{id}/messages/{messageId}/feedback',
    summary: 'Donner un avis sur une réponse (pouce, étiquettes, commentaire)',
    request: {
      params: MessageParam,
      body: { content: { 'application/json': { schema: GiveFeedback } }, required: true },
    },
    responses: { 201: json(FeedbackSchema, 'Avis enregistré'), ...errors },
  }),
  orgFeedback: createRoute({
    method: 'get',
    path: '/v1/feedback',
    summary: "Avis reçus dans l'organisation (admin), filtrables par note et étiquette",
    request: {
      query: z.object({
        rating: z.enum(['1', '-1']).optional(),
        tag: z.enum(FEEDBACK_TAGS).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(200),
      }),
    },
    responses: {
      200: json(
        z.object({
          object: z.literal('list'),
          data: z.array(
            FeedbackSchema.extend({
              message_id: z.string(),
              conversation_id: z.string(),
              user_id: z.string().nullable(),
              answer_excerpt: z.string(),
            }),
          ),
        }),
        'Avis',
      ),
      ...errors,
    },
  }),
};

const conversationJson = (c: Conversation) => ({
  id: c.id,
  object: 'conversation' as const,
  title: c.title,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});
const feedbackJson = (f: {
  id: string;
  rating: number;
  tags: string[];
  comment: string;
  createdAt: string;
}) => ({
  id: f.id,
  rating: f.rating,
  tags: f.tags,
  comment: f.comment,
  created_at: f.createdAt,
});

function retentionDays(services: Services): number {
  const privacy = (services.config as { privacy?: { retention?: { conversations_days?: number } } }).privacy;
  return privacy?.retention?.conversations_days ?? 90;
}

const titleOf = (q: string) => q.replace(/\s+/g, ' ').trim().slice(0, 80) || 'Conversation';

export function registerConversationRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const store = services.store;

  app.openapi(routes.list, async (c) => {
    const p = c.get('principal');
    const q = c.req.valid('query');
    const list = (await store.conversations.listByUser(ownerOf(p), q)).filter((x) => x.orgId === p.orgId);
    return c.json(
      {
        object: 'list' as const,
        data: list.map(conversationJson),
        retention_days: retentionDays(services),
        max_question_chars: MAX_QUESTION_CHARS,
      },
      200,
    );
  });

  app.openapi(routes.create, async (c) => {
    const p = c.get('principal');
    const body = (await c.req.json().catch(() => ({}))) as { title?: unknown };
    const title = typeof body.title === 'string' ? body.title.slice(0, 200) : '';
    return c.json(
      conversationJson(await store.conversations.create({ orgId: p.orgId, userId: ownerOf(p), title })),
      201,
    );
  });

  app.openapi(routes.get, async (c) => {
    const p = c.get('principal');
    const conv = await ownConversation(store, p, c.req.valid('param').id);
    const messages = await store.conversations.messages(conv.id);
    const out = [];
    for (const m of messages) {
      const fb =
        m.role === 'assistant'
          ? (await store.conversations.feedback(m.id)).filter((f) => f.userId === ownerOf(p)).at(-1)
          : undefined;
      out.push({
        id: m.id,
        role: m.role,
        content: m.content,
        created_at: m.createdAt,
        citations: m.citations,
        complete: m.complete,
        feedback: fb ? feedbackJson(fb) : null,
      });
    }
    return c.json({ ...conversationJson(conv), messages: out }, 200);
  });

  app.openapi(routes.remove, async (c) => {
    const conv = await ownConversation(store, c.get('principal'), c.req.valid('param').id);
    await store.conversations.delete(conv.id);
    return c.json({ id: conv.id, object: 'conversation' as const, deleted: true as const }, 200);
  });

  app.openapi(routes.feedback, async (c) => {
    const p = c.get('principal');
    const { id, messageId } = c.req.valid('param');
    const conv = await ownConversation(store, p, id);
    const message = (await store.conversations.messages(conv.id)).find(
      (m) => m.id === messageId && m.role === 'assistant',
    );
    if (!message) throw new AppError('not_found', `Réponse introuvable : ${messageId}`);
    const b = c.req.valid('json');
    const f = await store.conversations.addFeedback({
      messageId,
      orgId: p.orgId,
      userId: ownerOf(p),
      rating: b.rating,
      tags: b.tags,
      comment: b.comment.trim(),
    });
    return c.json(feedbackJson(f), 201);
  });

  app.openapi(routes.orgFeedback, async (c) => {
    const q = c.req.valid('query');
    const list = await listOrgFeedback(store, c.get('principal').orgId, {
      rating: q.rating ? Number(q.rating) : undefined,
      tag: q.tag,
      limit: q.limit,
    });
    return c.json(
      {
        object: 'list' as const,
        data: list.map((f) => ({
          ...feedbackJson(f),
          message_id: f.messageId,
          conversation_id: f.conversationId,
          user_id: f.userId,
          answer_excerpt: f.answerExcerpt,
        })),
      },
      200,
    );
  });

  app.openapi(routes.ask, async (c) => {
    const p = c.get('principal');
    const question = c.req.valid('json').content;
    if (!question.trim())
      throw new AppError('invalid_request', 'La question est vide.', { param: 'content' });
    const asked = c.req.valid('param').id;
    const conv =
      asked === 'new'
        ? await store.conversations.create({ orgId: p.orgId, userId: ownerOf(p), title: titleOf(question) })
        : await ownConversation(store, p, asked);
    const previous = asked === 'new' ? [] : await store.conversations.messages(conv.id);
    const messages = [...historyOf(previous), { role: 'user' as const, content: question }];
    const controller = new AbortController();
    const signal = AbortSignal.any([c.req.raw.signal, controller.signal]);
    const deps = {
      store,
      router: services.router,
      embedQuery: services.embedQuery,
      rrfK: services.config.search.rrf_k,
    };
    const started = performance.now();
    const plan = await prepareAnswer(deps, {
      model: 'guichet',
      messages,
      retrieval: {
        collections: await defaultCollectionsFor(store, p.orgId),
        k: services.config.search.default_k,
      },
      params: {},
      signal,
    });
    if (!previous.length && !conv.title) await store.conversations.rename(conv.id, titleOf(question));
    const userMessage = await store.conversations.addMessage({
      conversationId: conv.id,
      role: 'user',
      content: question,
    });
    const answer: StoredMessage = await store.conversations.addMessage({
      conversationId: conv.id,
      role: 'assistant',
      content: '',
      complete: false,
    });
    const id = `chatcmpl-${randomUUID().replace(/-/g, '')}`;
    const created = Math.floor(Date.now() / 1000);
    const head = { id, object: 'chat.completion.chunk', created, model: 'guichet' };
    const chunk = (
      delta: Record<string, unknown>,
      finish: string | null,
      extra: Record<string, unknown> = {},
    ) => JSON.stringify({ ...head, choices: [{ index: 0, delta, finish_reason: finish }], ...extra });

    return sseResponse(
      c,
      () => controller.abort(),
      async (out) => {
        let text = '';
        let done = false;
        let ttftMs: number | null = null;
        const meter = new StreamMeter(c, {
          model: plan.model,
          promptMessages: plan.fixedAnswer === null ? plan.messages : null,
        });
        try {
          await out.send(
            chunk({ role: 'assistant', content: '' }, null, {
              guichet: { conversation_id: conv.id, user_message_id: userMessage.id, message_id: answer.id },
            }),
          );
          for await (const event of streamAnswer(deps, plan)) {
            if (signal.aborted) break;
            if (event.type === 'text') {
              ttftMs ??= performance.now() - started;
              text += event.text;
              meter.add(event.text);
              const slow = out.send(chunk({ content: event.text }, null));
              if (slow) await slow;
              continue;
            }
            const r = event.result;
            await store.conversations.updateMessage(answer.id, {
              content: r.text,
              citations: r.citations ?? [],
              complete: r.finishReason !== 'error',
            });
            done = true;
            meter.report({ model: r.servedBy?.key ?? 'guichet', usage: r.usage, ttftMs });
            await out.send(chunk({}, r.finishReason));
            await out.send(
              JSON.stringify({
                ...head,
                choices: [],
                citations: r.citations ?? [],
                guichet: {
                  ai_generated: true,
                  model: r.servedBy?.key ?? null,
                  sources: r.citations?.length ?? 0,
                  no_source: plan.fixedAnswer !== null,
                },
              }),
            );
          }
          await out.send('[DONE]');
        } catch (e) {
          if (!signal.aborted) await out.send(streamErrorData(e));
        } finally {
          // Ended early (client gone, timeout, upstream error): what was produced is charged.
          meter.settle({ ttftMs, clientGone: c.req.raw.signal.aborted || controller.signal.aborted });
          // An interrupted answer is kept as it stands, marked incomplete (never as a full answer).
          if (!done)
            await store.conversations
              .updateMessage(answer.id, { content: text, complete: false })
              .catch(() => {});
        }
      },
    ) as never;
  });
}
