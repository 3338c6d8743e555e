import { accountsChanged } from '../../accounts/lookup-cache.js';
import type { ErasureCounts, PersonalDataRepo, PurgeCounts, SubjectData } from '../privacy-spec.js';
import type { PostgresUsage } from './accounts-usage.js';
import { withTx, type Pool } from './db.js';

/** Rows as plain objects, without secrets (key hashes, session id hashes) nor internal row ids. */
function clean(rows: unknown[], drop: string[] = []): Record<string, unknown>[] {
  const hidden = [...drop, 'rowid'];
  return rows.map((r) =>
    Object.fromEntries(Object.entries(r as object).filter(([k]) => !hidden.includes(k))),
  );
}

/**
 * `usage` buffers its rows (see accounts-usage.ts): they are written before being read, and an
 * erasure runs between two writes, so that rows recorded before it are anonymised too.
 */
export class PostgresPersonalData implements PersonalDataRepo {
  constructor(
    private readonly pool: Pool,
    private readonly usage: Pick<PostgresUsage, 'flush' | 'afterFlush' | 'anonymiseBuffered'>,
  ) {}

  async collect(userId: string): Promise<SubjectData> {
    await this.usage.flush();
    const q = async (sql: string, params: unknown[]) => (await this.pool.query(sql, params)).rows;
    const conversations = await q('SELECT * FROM conversations WHERE user_id = $1 ORDER BY created_at', [
      userId,
    ]);
    const withMessages = [];
    for (const c of conversations) {
      const messages = await q(
        'SELECT * FROM messages WHERE conversation_id = $1 ORDER BY created_at, rowid',
        [c.id],
      );
      withMessages.push({ ...c, messages: clean(messages) });
    }
    return {
      user: (await q('SELECT * FROM users WHERE id = $1', [userId]))[0] ?? null,
      apiKeys: clean(await q('SELECT * FROM api_keys WHERE user_id = $1', [userId]), ['hash']),
      sessions: clean(await q('SELECT * FROM sessions WHERE user_id = $1', [userId]), ['id_hash']),
      conversations: withMessages,
      feedback: clean(await q('SELECT * FROM feedback WHERE user_id = $1', [userId])),
      usage: clean(await q('SELECT * FROM usage WHERE user_id = $1 ORDER BY at', [userId])),
      training: clean(
        await q('SELECT * FROM training_completions WHERE user_id = $1 ORDER BY completed_at', [userId]),
      ),
      auditSubject:
        (await q('SELECT subject FROM audit_subjects WHERE user_id = $1', [userId]))[0]?.subject ?? null,
    };
  }

  async erase(userId: string): Promise<ErasureCounts> {
    const counts = await this.usage.afterFlush(async () => {
      const { keyIds, ...erased } = await this.eraseRows(userId);
      // Rows recorded while it ran are still in the buffer: anonymised there.
      erased.usageAnonymised += this.usage.anonymiseBuffered(userId, keyIds);
      return erased;
    });
    accountsChanged(); // the user's keys are gone
    return counts;
  }

  private async eraseRows(userId: string): Promise<ErasureCounts & { keyIds: string[] }> {
    return withTx(this.pool, async (c) => {
      const n = async (sql: string, params: unknown[]) => (await c.query(sql, params)).rowCount ?? 0;
      // Lock the user first: a concurrent key creation or sign-in for this user waits for the erasure.
      await c.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [userId]);
      const keyIds = (
        await c.query<{ id: string }>('SELECT id FROM api_keys WHERE user_id = $1', [userId])
      ).rows.map((k) => k.id);
      const convIds = 'SELECT id FROM conversations WHERE user_id = $1';
      const feedback = await n(
        `DELETE FROM feedback WHERE user_id = $1 OR message_id IN (SELECT id FROM messages WHERE conversation_id IN (${convIds}))`,
        [userId],
      );
      const messages = await n(`DELETE FROM messages WHERE conversation_id IN (${convIds})`, [userId]);
      const conversations = await n('DELETE FROM conversations WHERE user_id = $1', [userId]);
      let usageAnonymised = await n('UPDATE usage SET user_id = NULL, key_id = NULL WHERE user_id = $1', [
        userId,
      ]);
      if (keyIds.length) {
        usageAnonymised += await n('UPDATE usage SET key_id = NULL WHERE key_id = ANY($1::text[])', [keyIds]);
        await c.query(`DELETE FROM quotas WHERE scope = 'key' AND subject_id = ANY($1::text[])`, [keyIds]);
        for (const k of keyIds) await c.query('DELETE FROM rate_counters WHERE strpos(key, $1) > 0', [k]);
      }
      const apiKeys = await n('DELETE FROM api_keys WHERE user_id = $1', [userId]);
      const sessions = await n('DELETE FROM sessions WHERE user_id = $1', [userId]);
      const auditSubjects = await n('DELETE FROM audit_subjects WHERE user_id = $1', [userId]);
      const users = await n('DELETE FROM users WHERE id = $1', [userId]);
      return {
        users,
        apiKeys,
        sessions,
        conversations,
        messages,
        feedback,
        usageAnonymised,
        auditSubjects,
        keyIds,
      };
    });
  }

  async purgeConversations(
    before: string,
  ): Promise<Pick<PurgeCounts, 'conversations' | 'messages' | 'feedback'>> {
    return withTx(this.pool, async (c) => {
      const old = 'SELECT id FROM conversations WHERE updated_at < $1';
      const feedback =
        (
          await c.query(
            `DELETE FROM feedback WHERE message_id IN (SELECT id FROM messages WHERE conversation_id IN (${old}))`,
            [before],
          )
        ).rowCount ?? 0;
      const messages =
        (await c.query(`DELETE FROM messages WHERE conversation_id IN (${old})`, [before])).rowCount ?? 0;
      const conversations =
        (await c.query('DELETE FROM conversations WHERE updated_at < $1', [before])).rowCount ?? 0;
      return { conversations, messages, feedback };
    });
  }

  async purgeUsage(before: string): Promise<number> {
    await this.usage.flush();
    return (await this.pool.query('DELETE FROM usage WHERE at < $1', [before])).rowCount ?? 0;
  }
}
