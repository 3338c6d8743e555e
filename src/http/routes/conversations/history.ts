import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../../services.js';
import { conversationTitle } from '../../../privacy/mask.js';
import { effectiveRetention } from '../../../privacy/retention-settings.js';
import {
  MAX_QUESTION_CHARS,
  newConversation,
  ownConversation,
  ownerOf,
} from '../../../usecases/manage-conversations.js';
import type { AppEnv } from '../../env.js';
import { storedAnswerMarker } from '../../../usecases/ai-marker.js';
import { conversationJson, feedbackJson, routes } from './schemas.js';

/** The advisor's own history: list (with its retention), open, read, rename, delete. */
async function retentionDays(services: Services): Promise<number> {
  // As the operator set it from the privacy screen (stored over the configuration), else configured.
  return (await effectiveRetention(services.store, services.config.privacy.retention)).conversations_days;
}

export function registerHistoryRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const store = services.store;

  app.openapi(routes.list, async (c) => {
    const p = c.get('principal');
    const q = c.req.valid('query');
    const list = (await store.conversations.listByUser(ownerOf(p), q)).filter((x) => x.orgId === p.orgId);
    return c.json(
      {
        object: 'list' as const,
        data: list.map(conversationJson),
        retention_days: await retentionDays(services),
        max_question_chars: MAX_QUESTION_CHARS,
      },
      200,
    );
  });

  app.openapi(routes.create, async (c) => {
    const p = c.get('principal');
    const body = (await c.req.json().catch(() => ({}))) as { title?: unknown };
    const title = typeof body.title === 'string' ? conversationTitle(body.title, 200) : '';
    return c.json(conversationJson(await newConversation(store, p, title)), 201);
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
        ...(m.role === 'assistant' ? { guichet: storedAnswerMarker(m) } : {}),
      });
    }
    return c.json({ ...conversationJson(conv), messages: out }, 200);
  });

  app.openapi(routes.rename, async (c) => {
    const conv = await ownConversation(store, c.get('principal'), c.req.valid('param').id);
    // Titles are shown for the retention period: masked like the ones taken from a question.
    const title = conversationTitle(c.req.valid('json').title, 200) || conv.title;
    const renamed = await store.conversations.rename(conv.id, title);
    return c.json(conversationJson(renamed ?? conv), 200);
  });

  app.openapi(routes.remove, async (c) => {
    const conv = await ownConversation(store, c.get('principal'), c.req.valid('param').id);
    await store.conversations.delete(conv.id);
    return c.json({ id: conv.id, object: 'conversation' as const, deleted: true as const }, 200);
  });
}
