import { createRoute, z } from '@hono/zod-openapi';
import type { Conversation } from '../../../store/privacy-spec.js';
import { FEEDBACK_TAGS, MAX_QUESTION_CHARS } from '../../../usecases/manage-conversations.js';
import { errors } from '../admin/shared.js';

/** The conversations' routes (OpenAPI definitions) and their JSON shapes. */
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
const AnswerMarkerSchema = z
  .object({ ai_generated: z.literal(true), reviewed: z.boolean(), reviewed_at: z.string().nullable() })
  .openapi('AnswerMarker');
const MessageSchema = z
  .object({
    id: z.string(),
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string(),
    created_at: z.string(),
    citations: z.array(z.unknown()),
    complete: z.boolean(),
    feedback: FeedbackSchema.nullable(),
    guichet: AnswerMarkerSchema.optional().openapi({
      description: 'Réponses seulement : produite par une IA, relue ou non par un agent (AI Act, art. 50)',
    }),
  })
  .openapi('ConversationMessage');
const Review = z
  .object({
    reviewed: z.boolean().openapi({ description: 'true : « J’ai relu cette réponse » ; false : décoché' }),
  })
  .strict()
  .openapi('ReviewAnswer');

const Ask = z
  .object({
    content: z
      .string()
      .min(1)
      .max(MAX_QUESTION_CHARS, { error: `La question dépasse ${MAX_QUESTION_CHARS} caractères.` }),
    replace: z.string().min(1).max(100).optional().openapi({
      description:
        'Identifiant d’une question de la conversation : elle est remplacée, avec tout ce qui la suit (question modifiée, réponse régénérée).',
    }),
  })
  .strict()
  .openapi('AskInConversation');
const Rename = z
  .object({ title: z.string().trim().min(1, { error: 'Le titre est vide.' }).max(200) })
  .strict()
  .openapi('RenameConversation');
const GiveFeedback = z
  .object({
    rating: z.union([z.literal(1), z.literal(-1)]).openapi({ description: '1 = utile, -1 = pas utile' }),
    tags: z.array(z.enum(FEEDBACK_TAGS)).max(FEEDBACK_TAGS.length).default([]),
    comment: z.string().max(2000).default(''),
  })
  .strict()
  .openapi('GiveFeedback');

export const routes = {
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
  review: createRoute({
    method: 'post',
    path: '/v1/conversations/{id}/messages/{messageId}/review',
    summary: 'Indiquer qu’un agent a relu une réponse (ou retirer cette mention)',
    request: {
      params: MessageParam,
      body: { content: { 'application/json': { schema: Review } }, required: true },
    },
    responses: {
      200: json(
        z.object({ id: z.string(), object: z.literal('answer_review'), guichet: AnswerMarkerSchema }),
        'Mention enregistrée',
      ),
      ...errors,
    },
  }),
  rename: createRoute({
    method: 'patch',
    path: '/v1/conversations/{id}',
    summary: 'Renommer une de ses conversations',
    request: {
      params: IdParam,
      body: { content: { 'application/json': { schema: Rename } }, required: true },
    },
    responses: { 200: json(ConversationSchema, 'Conversation renommée'), ...errors },
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
              question: z.string(),
              answer: z.string(),
              sources: z.array(
                z.object({
                  index: z.number().int(),
                  title: z.string(),
                  url: z.string().nullable(),
                  local: z.boolean(),
                }),
              ),
              author: z.string().nullable(),
              guichet: AnswerMarkerSchema,
            }),
          ),
        }),
        'Avis',
      ),
      ...errors,
    },
  }),
};

export const conversationJson = (c: Conversation) => ({
  id: c.id,
  object: 'conversation' as const,
  title: c.title,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});
export const feedbackJson = (f: {
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
