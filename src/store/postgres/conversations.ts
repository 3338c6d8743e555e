import type {
  Conversation,
  ConversationRepo,
  Feedback,
  PilotFilter,
  PilotMessage,
  StoredMessage,
} from '../privacy-spec.js';
import { newId, toConversation, toFeedback, toMessage } from '../shared-rows.js';
import { withTx, type Pool } from './db.js';

const MESSAGE_COLUMNS =
  'id, conversation_id, role, content, created_at, citations, complete, no_source, reviewed_by, reviewed_at';

export class PostgresConversations implements ConversationRepo {
  constructor(private readonly pool: Pool) {}

  async create(input: {
    orgId: string;
    userId: string | null;
    serviceId?: string | null;
    title?: string;
  }): Promise<Conversation> {
    const now = new Date().toISOString();
    const { rows } = await this.pool.query(
      `INSERT INTO conversations (id, org_id, user_id, service_id, title, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
      [newId('conv'), input.orgId, input.userId, input.serviceId ?? null, input.title ?? '', now],
    );
    return toConversation(rows[0]);
  }

  async get(id: string): Promise<Conversation | null> {
    const { rows } = await this.pool.query('SELECT * FROM conversations WHERE id = $1', [id]);
    return rows[0] ? toConversation(rows[0]) : null;
  }

  async listByUser(userId: string, page = { limit: 50, offset: 0 }): Promise<Conversation[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM conversations WHERE user_id = $1 ORDER BY updated_at DESC, id LIMIT $2 OFFSET $3',
      [userId, Math.max(0, Math.floor(page.limit)), Math.max(0, Math.floor(page.offset))],
    );
    return rows.map(toConversation);
  }

  async rename(id: string, title: string): Promise<Conversation | null> {
    const { rows } = await this.pool.query(
      'UPDATE conversations SET title = $1, updated_at = $2 WHERE id = $3 RETURNING *',
      [title, new Date().toISOString(), id],
    );
    return rows[0] ? toConversation(rows[0]) : null;
  }

  async delete(id: string): Promise<void> {
    await this.pool.query('DELETE FROM conversations WHERE id = $1', [id]);
  }

  async addMessage(input: {
    conversationId: string;
    role: StoredMessage['role'];
    content: string;
    citations?: unknown[];
    complete?: boolean;
    noSource?: boolean;
  }): Promise<StoredMessage> {
    const now = new Date().toISOString();
    return withTx(this.pool, async (c) => {
      const { rows } = await c.query(
        `INSERT INTO messages (id, conversation_id, role, content, created_at, citations, complete, no_source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${MESSAGE_COLUMNS}`,
        [
          newId('msg'),
          input.conversationId,
          input.role,
          input.content,
          now,
          JSON.stringify(input.citations ?? []),
          input.complete !== false,
          input.noSource === true,
        ],
      );
      await c.query('UPDATE conversations SET updated_at = $1 WHERE id = $2', [now, input.conversationId]);
      return toMessage(rows[0]);
    });
  }

  async updateMessage(
    id: string,
    patch: { content?: string; citations?: unknown[]; complete?: boolean },
  ): Promise<StoredMessage | null> {
    const { rows } = await this.pool.query(
      `UPDATE messages SET content = coalesce($2, content), citations = coalesce($3, citations),
         complete = coalesce($4, complete) WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
      [
        id,
        patch.content ?? null,
        patch.citations ? JSON.stringify(patch.citations) : null,
        patch.complete ?? null,
      ],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async messages(conversationId: string): Promise<StoredMessage[]> {
    const { rows } = await this.pool.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY created_at, rowid`,
      [conversationId],
    );
    return rows.map(toMessage);
  }

  async setReviewed(id: string, review: { by: string | null } | null): Promise<StoredMessage | null> {
    const { rows } = await this.pool.query(
      `UPDATE messages SET reviewed_by = $2, reviewed_at = $3 WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
      [id, review?.by ?? null, review ? new Date().toISOString() : null],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async truncateFrom(conversationId: string, messageId: string): Promise<number> {
    return withTx(this.pool, async (c) => {
      const { rows } = await c.query(
        'SELECT created_at, rowid FROM messages WHERE id = $1 AND conversation_id = $2',
        [messageId, conversationId],
      );
      if (!rows[0]) return 0;
      const after = 'conversation_id = $1 AND (created_at > $2 OR (created_at = $2 AND rowid >= $3))';
      const args = [conversationId, rows[0].created_at, rows[0].rowid];
      await c.query(
        `DELETE FROM feedback WHERE message_id IN (SELECT id FROM messages WHERE ${after})`,
        args,
      );
      const r = await c.query(`DELETE FROM messages WHERE ${after}`, args);
      return r.rowCount ?? 0;
    });
  }

  async addFeedback(
    input: Omit<Feedback, 'id' | 'createdAt' | 'tags' | 'comment'> & { tags?: string[]; comment?: string },
  ): Promise<Feedback> {
    const { rows } = await this.pool.query(
      `INSERT INTO feedback (id, message_id, org_id, user_id, rating, tags, comment, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [
        newId('fb'),
        input.messageId,
        input.orgId,
        input.userId,
        input.rating,
        JSON.stringify(input.tags ?? []),
        input.comment ?? '',
        new Date().toISOString(),
      ],
    );
    return toFeedback(rows[0]);
  }

  async feedback(messageId: string): Promise<Feedback[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM feedback WHERE message_id = $1 ORDER BY created_at, id',
      [messageId],
    );
    return rows.map(toFeedback);
  }

  async pilotRows(f: PilotFilter): Promise<{ messages: PilotMessage[]; feedback: Feedback[] }> {
    const where = `c.org_id = $1 AND m.created_at >= $2 AND m.created_at < $3
      AND ($4::text IS NULL OR c.service_id = $4)`;
    const args = [f.orgId, f.from, f.to, f.serviceId ?? null];
    const [messages, feedback] = await Promise.all([
      this.pool.query(
        `SELECT m.*, c.service_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE ${where} ORDER BY m.conversation_id, m.created_at, m.rowid`,
        args,
      ),
      this.pool.query(
        `SELECT f.* FROM feedback f JOIN messages m ON m.id = f.message_id
         JOIN conversations c ON c.id = m.conversation_id WHERE ${where} ORDER BY f.created_at, f.id`,
        args,
      ),
    ]);
    return {
      messages: messages.rows.map((r) => ({ ...toMessage(r), serviceId: r.service_id ?? null })),
      feedback: feedback.rows.map(toFeedback),
    };
  }
}
