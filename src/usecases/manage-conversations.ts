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

/**
 * A new conversation of the caller, attributed to their service as it is now (the pilot counts
 * it there even if the person changes service later; a key without a person has none).
 */
export async function newConversation(store: Store, p: Principal, title: string): Promise<Conversation> {
  const user = p.userId ? await store.accounts.users.get(p.userId) : null;
  return store.conversations.create({
    orgId: p.orgId,
    userId: ownerOf(p),
    serviceId: user?.orgId === p.orgId ? user.serviceId : null,
    title,
  });
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
  /** The question answered, the full answer and its cited sources (what the feedback is about). */
  question: string;
  answer: string;
  sources: { index: number; title: string; url: string | null; local: boolean }[];
  /** Who gave it: the person's name or e-mail, or the key's name. */
  author: string | null;
  /** When an agent marked the answer as reviewed (null: not reviewed). */
  reviewedAt: string | null;
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
  const owners: [string, string][] = [
    ...users.map((u): [string, string] => [u.id, u.name || u.email]),
    ...keys.map((k): [string, string] => [`key:${k.id}`, `clé « ${k.name} »`]),
  ];
  const names = new Map(owners);
  const out: FeedbackView[] = [];
  for (const [owner] of owners) {
    for (const conv of await store.conversations.listByUser(owner, { limit: 500, offset: 0 })) {
      if (conv.orgId !== orgId) continue;
      const messages = await store.conversations.messages(conv.id);
      for (const [i, m] of messages.entries()) {
        if (m.role !== 'assistant') continue;
        for (const f of await store.conversations.feedback(m.id)) {
          if (filter.rating !== undefined && f.rating !== filter.rating) continue;
          if (filter.tag && !f.tags.includes(filter.tag)) continue;
          const question = messages
            .slice(0, i)
            .reverse()
            .find((x) => x.role === 'user');
          out.push({
            ...f,
            conversationId: conv.id,
            answerExcerpt: m.content.slice(0, 200),
            question: question?.content ?? '',
            answer: m.content,
            sources: citedSources(m.citations),
            author: names.get(f.userId ?? owner) ?? names.get(owner) ?? null,
            reviewedAt: m.reviewedAt,
          });
        }
      }
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, filter.limit);
}

/** The cited sources of a stored answer (all of them when none is marked cited). */
export function citedSources(
  citations: unknown[],
): (FeedbackView['sources'][number] & { date: string | null })[] {
  const list = citations.filter((c): c is Record<string, unknown> => !!c && typeof c === 'object');
  const cited = list.filter((c) => c.cited === true);
  return (cited.length ? cited : list).map((c) => ({
    index: Number(c.index) || 0,
    title: String(c.title ?? ''),
    url: typeof c.url === 'string' ? c.url : null,
    local: c.local === true,
    date: typeof c.date === 'string' ? c.date : null,
  }));
}
