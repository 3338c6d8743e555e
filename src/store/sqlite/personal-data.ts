import { accountsChanged } from '../../accounts/lookup-cache.js';
import type { ErasureCounts, PersonalDataRepo, PurgeCounts, SubjectData } from '../privacy-spec.js';
import type { Db } from './open.js';

const hasTable = (db: Db, name: string) =>
  !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);

/** Rows as plain objects, without secrets (key hashes, session id hashes). */
function clean(rows: unknown[], drop: string[] = []): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r as object).filter(([k]) => !drop.includes(k))));
}

export class SqlitePersonalData implements PersonalDataRepo {
  /** `flushUsage`: writes the usage rows still buffered (see accounts-usage.ts) before reading them. */
  constructor(
    private readonly db: Db,
    private readonly flushUsage: () => void = () => {},
  ) {}

  async collect(userId: string): Promise<SubjectData> {
    this.flushUsage();
    const db = this.db;
    const conversations = db
      .prepare('SELECT * FROM conversations WHERE user_id = ? ORDER BY created_at')
      .all(userId) as { id: string }[];
    return {
      user:
        (db.prepare('SELECT * FROM users WHERE id = ?').get(userId) as Record<string, unknown> | undefined) ??
        null,
      apiKeys: clean(db.prepare('SELECT * FROM api_keys WHERE user_id = ?').all(userId), ['hash']),
      sessions: hasTable(db, 'sessions')
        ? clean(db.prepare('SELECT * FROM sessions WHERE user_id = ?').all(userId), ['id_hash'])
        : [],
      conversations: conversations.map((c) => ({
        ...c,
        messages: clean(
          db.prepare('SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at, rowid').all(c.id),
        ),
      })),
      feedback: clean(db.prepare('SELECT * FROM feedback WHERE user_id = ?').all(userId)),
      usage: clean(db.prepare('SELECT * FROM usage WHERE user_id = ? ORDER BY at').all(userId)),
      training: hasTable(db, 'training_completions')
        ? clean(
            db
              .prepare('SELECT * FROM training_completions WHERE user_id = ? ORDER BY completed_at')
              .all(userId),
          )
        : [],
      auditSubject:
        (
          db.prepare('SELECT subject FROM audit_subjects WHERE user_id = ?').get(userId) as
            { subject: string } | undefined
        )?.subject ?? null,
    };
  }

  async erase(userId: string): Promise<ErasureCounts> {
    this.flushUsage(); // buffered rows naming the user are anonymised too
    const db = this.db;
    const counts = db
      .transaction((): ErasureCounts => {
        const keyIds = (
          db.prepare('SELECT id FROM api_keys WHERE user_id = ?').all(userId) as { id: string }[]
        ).map((k) => k.id);
        const convIds = `SELECT id FROM conversations WHERE user_id = ?`;
        const msgIds = `SELECT id FROM messages WHERE conversation_id IN (${convIds})`;
        const feedback = db
          .prepare(`DELETE FROM feedback WHERE user_id = ? OR message_id IN (${msgIds})`)
          .run(userId, userId).changes;
        const messages = db
          .prepare(`DELETE FROM messages WHERE conversation_id IN (${convIds})`)
          .run(userId).changes;
        const conversations = db.prepare('DELETE FROM conversations WHERE user_id = ?').run(userId).changes;
        let usageAnonymised = db
          .prepare('UPDATE usage SET user_id = NULL, key_id = NULL WHERE user_id = ?')
          .run(userId).changes;
        for (const k of keyIds) {
          usageAnonymised += db.prepare('UPDATE usage SET key_id = NULL WHERE key_id = ?').run(k).changes;
          db.prepare("DELETE FROM quotas WHERE scope = 'key' AND subject_id = ?").run(k);
          db.prepare('DELETE FROM rate_counters WHERE instr(key, ?) > 0').run(k);
        }
        const apiKeys = db.prepare('DELETE FROM api_keys WHERE user_id = ?').run(userId).changes;
        const sessions = hasTable(db, 'sessions')
          ? db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes
          : 0;
        const auditSubjects = db.prepare('DELETE FROM audit_subjects WHERE user_id = ?').run(userId).changes;
        db.prepare('UPDATE conversations SET user_id = NULL WHERE user_id = ?').run(userId);
        const users = db.prepare('DELETE FROM users WHERE id = ?').run(userId).changes;
        return {
          users,
          apiKeys,
          sessions,
          conversations,
          messages,
          feedback,
          usageAnonymised,
          auditSubjects,
        };
      })
      .immediate();
    accountsChanged(); // the user's keys are gone
    return counts;
  }

  async purgeConversations(
    before: string,
  ): Promise<Pick<PurgeCounts, 'conversations' | 'messages' | 'feedback'>> {
    const db = this.db;
    return db
      .transaction(() => {
        const old = 'SELECT id FROM conversations WHERE updated_at < ?';
        const feedback = db
          .prepare(
            `DELETE FROM feedback WHERE message_id IN (SELECT id FROM messages WHERE conversation_id IN (${old}))`,
          )
          .run(before).changes;
        const messages = db
          .prepare(`DELETE FROM messages WHERE conversation_id IN (${old})`)
          .run(before).changes;
        const conversations = db
          .prepare('DELETE FROM conversations WHERE updated_at < ?')
          .run(before).changes;
        return { conversations, messages, feedback };
      })
      .immediate();
  }

  async purgeUsage(before: string): Promise<number> {
    this.flushUsage();
    return this.db.prepare('DELETE FROM usage WHERE at < ?').run(before).changes;
  }
}
