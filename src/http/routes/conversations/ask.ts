import { randomUUID } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { conversationTitle } from '../../../privacy/mask.js';
import type { Services } from '../../../services.js';
import { AppError } from '../../../shared/errors.js';
import { answerDeps, prepareAnswer } from '../../../usecases/answer-question.js';
import { historyOf, newConversation, ownConversation } from '../../../usecases/manage-conversations.js';
import { defaultCollectionsFor } from '../../../usecases/visible-collections.js';
import { answerStreamResponse } from '../../answer-stream.js';
import type { AppEnv } from '../../env.js';
import { routes } from './schemas.js';

/** Titles are shown in the history sidebar for the retention period: never with personal data. */
const titleOf = (q: string) => conversationTitle(q) || 'Conversation';

/**
 * A question asked in a conversation: answered from the sources with the model `guichet`, under
 * the organisation's privacy policy, streamed by the same path as `/v1/chat/completions`; the
 * question and the answer are kept (an interrupted answer as incomplete).
 */
export function registerAskRoute(app: OpenAPIHono<AppEnv>, services: Services): void {
  const store = services.store;
  app.openapi(routes.ask, async (c) => {
    const p = c.get('principal');
    const { content: question, replace } = c.req.valid('json');
    if (!question.trim())
      throw new AppError('invalid_request', 'La question est vide.', { param: 'content' });
    const asked = c.req.valid('param').id;
    const conv =
      asked === 'new'
        ? await newConversation(store, p, titleOf(question))
        : await ownConversation(store, p, asked);
    let previous = asked === 'new' ? [] : await store.conversations.messages(conv.id);
    if (replace) {
      // The question edited or regenerated, and what followed it, give way to the new exchange.
      const at = previous.findIndex((m) => m.id === replace && m.role === 'user');
      if (at < 0) throw new AppError('not_found', `Question introuvable dans la conversation : ${replace}`);
      previous = previous.slice(0, at);
    }
    const messages = [...historyOf(previous), { role: 'user' as const, content: question }];
    const controller = new AbortController();
    const signal = AbortSignal.any([c.req.raw.signal, controller.signal]);
    const deps = answerDeps(services);
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
      privacy: await services.privacy.forOrg(p.orgId),
    });
    if (replace) await store.conversations.truncateFrom(conv.id, replace);
    if (!previous.length && !conv.title) await store.conversations.rename(conv.id, titleOf(question));
    const userMessage = await store.conversations.addMessage({
      conversationId: conv.id,
      role: 'user',
      content: question,
    });
    const answer = await store.conversations.addMessage({
      conversationId: conv.id,
      role: 'assistant',
      content: '',
      complete: false,
      noSource: plan.fixedAnswer !== null,
    });
    return answerStreamResponse(c, {
      deps,
      plan,
      id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
      created: Math.floor(Date.now() / 1000),
      model: 'guichet',
      controller,
      signal,
      started,
      firstExtra: {
        guichet: { conversation_id: conv.id, user_message_id: userMessage.id, message_id: answer.id },
      },
      onResult: (r) =>
        store.conversations.updateMessage(answer.id, {
          content: r.text,
          citations: r.citations ?? [],
          complete: r.finishReason !== 'error',
        }),
      onInterrupted: (text) =>
        store.conversations.updateMessage(answer.id, { content: text, complete: false }),
    }) as never;
  });
}
