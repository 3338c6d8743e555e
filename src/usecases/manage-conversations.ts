import type { Principal } from '../accounts/model.js';
import type { ChatMessage } from '../models/spec.js';
import type { Conversation, Feedback, StoredMessage } from '../store/privacy-spec.js';
import type { Store } from '../store/spec.js';
import { AppError } from '../shared/errors.js';

/** Longest question the assistant accepts (characters); the UI shows the limit before sending. */
export const MAX_QUESTION_CHARS = 4000;
export const FEEDBACK_TAGS = [
  'clair',
  'complet',
  'sources fiables',
  'erreur',
  'incomplet',
  'manque de sources',
  'trop long',
] as const;

/**
 * Who owns a conversation: the signed-in user, or the API key itself for a developer install
 * (a key made from the CLI has no user).
 */
export function ownerOf(p: Principal): string {
  return p.userId ?? `key:${p.keyId ?? 'unknown'}`;
}

/** The caller's own conversation; anyone else's (or an unknown id) is the same 404. */
export async function ownConversation(store: Store, p: Principal, id: string): Promise<Conversation> {
  const conv = await store.conversations.get(id);
  if (!conv || conv.orgId !== p.orgId || conv.userId !== ownerOf(p)) {
    throw new AppError('not_found', `Conversation introuvable : ${id}`);
  }
  return conv;
}

/**
 * The model's view of a conversation: each question with its answer when that answer completed;
 * a question whose answer was interrupted is left out (the advisor asks it again).
 */
export function historyOf(messages: StoredMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role !== 'user') continue;
    const next = messages[i + 1];
    if (next?.role === 'assistant' && next.complete)
      out.push({ role: 'user', content: m.content }, { role: 'assistant', content: next.content });
  }
  return out;
}

export interface FeedbackView extends Feedback {
  conversationId: string;
  answerExcerpt: string;
}

/**
 * The feedback given in an organisation, newest first: walks the conversations of its people and
 * keys (the store has no org-wide feedback query yet; fine at the size of one organisation).
 */
export async function listOrgFeedback(
  store: Store,
  orgId: string,
  filter: { rating?: number; tag?: string; limit: number },
): Promise<FeedbackView[]> {
  const [users, keys] = await Promise.all([
    store.accounts.users.list(orgId),
    store.accounts.keys.list(orgId),
  ]);
  const owners = [...users.map((u) => u.id), ...keys.map((k) => `key:${k.id}`)];
  const out: FeedbackView[] = [];
  for (const owner of owners) {
    for (const conv of await store.conversations.listByUser(owner, { limit: 500, offset: 0 })) {
      if (conv.orgId !== orgId) continue;
      for (const m of await store.conversations.messages(conv.id)) {
        if (m.role !== 'assistant') continue;
        for (const f of await store.conversations.feedback(m.id)) {
          if (filter.rating !== undefined && f.rating !== filter.rating) continue;
          if (filter.tag && !f.tags.includes(filter.tag)) continue;
          out.push({ ...f, conversationId: conv.id, answerExcerpt: m.content.slice(0, 200) });
        }
      }
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, filter.limit);
}
