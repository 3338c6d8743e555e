import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Principal } from '../../../accounts/model.js';
import type { Services } from '../../../services.js';
import { AppError } from '../../../shared/errors.js';
import { listOrgFeedback, ownConversation, ownerOf } from '../../../usecases/manage-conversations.js';
import type { AppEnv } from '../../env.js';
import { feedbackJson, routes } from './schemas.js';
import { storedAnswerMarker } from '../../../usecases/ai-marker.js';

/**
 * Feedback on an answer (thumbs, tags, comment), an agent's review of an answer, and the
 * organisation's feedback for its admin.
 */
export function registerFeedbackRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const store = services.store;

  /** An answer of one of the caller's conversations (anything else: the same 404). */
  const ownAnswer = async (p: Principal, id: string, messageId: string) => {
    const conv = await ownConversation(store, p, id);
    const message = (await store.conversations.messages(conv.id)).find(
      (m) => m.id === messageId && m.role === 'assistant',
    );
    if (!message) throw new AppError('not_found', `Réponse introuvable : ${messageId}`);
    return message;
  };

  app.openapi(routes.feedback, async (c) => {
    const p = c.get('principal');
    const { id, messageId } = c.req.valid('param');
    await ownAnswer(p, id, messageId);
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

  // AI Act art. 50: « relue par un agent » only once the agent ticked it.
  app.openapi(routes.review, async (c) => {
    const p = c.get('principal');
    const { id, messageId } = c.req.valid('param');
    const message = await ownAnswer(p, id, messageId);
    if (!message.complete)
      throw new AppError('conflict', 'Cette réponse est incomplète : régénérez-la avant de la relire.');
    const reviewed = c.req.valid('json').reviewed;
    const updated = await store.conversations.setReviewed(
      messageId,
      reviewed ? { by: p.userId ?? null } : null,
    );
    if (!updated) throw new AppError('not_found', `Réponse introuvable : ${messageId}`);
    return c.json(
      { id: messageId, object: 'answer_review' as const, guichet: storedAnswerMarker(updated) },
      200,
    );
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
          question: f.question,
          answer: f.answer,
          sources: f.sources,
          author: f.author,
          guichet: storedAnswerMarker(f),
        })),
      },
      200,
    );
  });
}
