import type {
  Conversation,
  ConversationRepo,
  Feedback,
  PilotFilter,
  PilotMessage,
  StoredMessage,
} from '../privacy-spec.js';
import type { Db } from './open.js';
import { newId, toConversation, toFeedback, toMessage } from '../shared-rows.js';

export { toConversation, toFeedback, toMessage };

export class SqliteConversations implements ConversationRepo {
  constructor(private readonly db: Db) {}

  async create(input: {
    orgId: string;
    userId: string | null;
    serviceId?: string | null;
    title?: string;
  }): Promise<Conversation> {
    const id = newId('conv');
    const now = new Date().toISOString();
    this.db
      .prepare(
        'INSERT INTO conversations (id, org_id, user_id, service_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, input.orgId, input.userId, input.serviceId ?? null, input.title ?? '', now, now);
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Conversation | null> {
    const r = this.db.prepare('SELECT * FROM conversations WHERE id = ?').get(id);
    return r ? toConversation(r) : null;
  }

  async listByUser(userId: string, page = { limit: 50, offset: 0 }): Promise<Conversation[]> {
    return this.db
      .prepare('SELECT * FROM conversations WHERE user_id = ? ORDER BY updated_at DESC, id LIMIT ? OFFSET ?')
      .all(userId, page.limit, page.offset)
      .map(toConversation);
  }

  async rename(id: string, title: string): Promise<Conversation | null> {
    this.db
      .prepare('UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?')
      .run(title, new Date().toISOString(), id);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    this.db.prepare('DELETE FROM conversations WHERE id = ?').run(id);
  }

  async addMessage(input: {
    conversationId: string;
    role: StoredMessage['role'];
    content: string;
    citations?: unknown[];
    complete?: boolean;
    noSource?: boolean;
  }): Promise<StoredMessage> {
    const id = newId('msg');
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO messages (id, conversation_id, role, content, created_at, citations, complete, no_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          id,
          input.conversationId,
          input.role,
          input.content,
          now,
          JSON.stringify(input.citations ?? []),
          input.complete === false ? 0 : 1,
          input.noSource ? 1 : 0,
        );
      this.db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?').run(now, input.conversationId);
    })();
    return toMessage(this.db.prepare('SELECT * FROM messages WHERE id = ?').get(id));
  }

  async updateMessage(
    id: string,
    patch: { content?: string; citations?: unknown[]; complete?: boolean },
  ): Promise<StoredMessage | null> {
    const r = this.db.prepare('SELECT * FROM messages WHERE id = ?').get(id);
    if (!r) return null;
    const m = toMessage(r);
    this.db
      .prepare('UPDATE messages SET content = ?, citations = ?, complete = ? WHERE id = ?')
      .run(
        patch.content ?? m.content,
        JSON.stringify(patch.citations ?? m.citations),
        (patch.complete ?? m.complete) ? 1 : 0,
        id,
      );
    return toMessage(this.db.prepare('SELECT * FROM messages WHERE id = ?').get(id));
  }

  async messages(conversationId: string): Promise<StoredMessage[]> {
    return this.db
      .prepare('SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at, rowid')
      .all(conversationId)
      .map(toMessage);
  }

  async setReviewed(id: string, review: { by: string | null } | null): Promise<StoredMessage | null> {
    this.db
      .prepare('UPDATE messages SET reviewed_by = ?, reviewed_at = ? WHERE id = ?')
      .run(review?.by ?? null, review ? new Date().toISOString() : null, id);
    const r = this.db.prepare('SELECT * FROM messages WHERE id = ?').get(id);
    return r ? toMessage(r) : null;
  }

  async truncateFrom(conversationId: string, messageId: string): Promise<number> {
    return this.db.transaction(() => {
      const from = this.db
        .prepare('SELECT created_at, rowid AS r FROM messages WHERE id = ? AND conversation_id = ?')
        .get(messageId, conversationId) as { created_at: string; r: number } | undefined;
      if (!from) return 0;
      const after = 'conversation_id = ? AND (created_at > ? OR (created_at = ? AND rowid >= ?))';
      const args = [conversationId, from.created_at, from.created_at, from.r];
      this.db
        .prepare(`DELETE FROM feedback WHERE message_id IN (SELECT id FROM messages WHERE ${after})`)
        .run(...args);
      return this.db.prepare(`DELETE FROM messages WHERE ${after}`).run(...args).changes;
    })();
  }

  async addFeedback(
    input: Omit<Feedback, 'id' | 'createdAt' | 'tags' | 'comment'> & { tags?: string[]; comment?: string },
  ): Promise<Feedback> {
    const id = newId('fb');
    this.db
      .prepare(
        'INSERT INTO feedback (id, message_id, org_id, user_id, rating, tags, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        id,
        input.messageId,
        input.orgId,
        input.userId,
        input.rating,
        JSON.stringify(input.tags ?? []),
        input.comment ?? '',
        new Date().toISOString(),
      );
    return toFeedback(this.db.prepare('SELECT * FROM feedback WHERE id = ?').get(id));
  }

  async feedback(messageId: string): Promise<Feedback[]> {
    return this.db
      .prepare('SELECT * FROM feedback WHERE message_id = ? ORDER BY created_at')
      .all(messageId)
      .map(toFeedback);
  }

  async pilotRows(f: PilotFilter): Promise<{ messages: PilotMessage[]; feedback: Feedback[] }> {
    const where = `c.org_id = ? AND m.created_at >= ? AND m.created_at < ?
      AND (? IS NULL OR c.service_id = ?)`;
    const args = [f.orgId, f.from, f.to, f.serviceId ?? null, f.serviceId ?? null];
    const messages = this.db
      .prepare(
        `SELECT m.*, c.service_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE ${where} ORDER BY m.conversation_id, m.created_at, m.rowid`,
      )
      .all(...args) as Record<string, unknown>[];
    const feedback = this.db
      .prepare(
        `SELECT f.* FROM feedback f JOIN messages m ON m.id = f.message_id
         JOIN conversations c ON c.id = m.conversation_id WHERE ${where} ORDER BY f.created_at, f.id`,
      )
      .all(...args);
    return {
      messages: messages.map((r) => ({
        ...toMessage(r),
        serviceId: (r.service_id as string | null) ?? null,
      })),
      feedback: feedback.map(toFeedback),
    };
  }
}
