import { randomBytes } from 'node:crypto';
import type { AuditEntry, AuditRepo, NewAuditEntry } from '../privacy-spec.js';
import { toAuditEntry } from '../shared-rows.js';
import type { Db } from './open.js';

/** Hash placed before the first entry of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

export class SqliteAudit implements AuditRepo {
  constructor(private readonly db: Db) {}

  async append(entry: NewAuditEntry, seal: (seq: number, prevHash: string) => string): Promise<AuditEntry> {
    const run = this.db.transaction(() => {
      const last = this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
        { seq: number; hash: string } | undefined;
      const anchor = last
        ? null
        : ((
            this.db.prepare("SELECT value FROM meta WHERE key = 'audit.anchor'").get() as
              { value: string } | undefined
          )?.value ?? null);
      const seq = last ? last.seq + 1 : anchor ? Number(anchor.split(':')[0]) + 1 : 1;
      const prevHash = last ? last.hash : anchor ? anchor.split(':')[1] : GENESIS_HASH;
      const hash = seal(seq, prevHash);
      this.db
        .prepare(
          'INSERT INTO audit_log (seq, at, type, org_id, actor, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(seq, entry.at, entry.type, entry.orgId, entry.actor, JSON.stringify(entry.data), prevHash, hash);
      this.db
        .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit.head', ?)")
        .run(`${seq}:${hash}`);
      return { ...entry, seq, prevHash, hash };
    });
    return run.immediate();
  }

  async list(page: { afterSeq?: number; limit: number; orgId?: string }): Promise<AuditEntry[]> {
    const rows = page.orgId
      ? this.db
          .prepare('SELECT * FROM audit_log WHERE seq > ? AND org_id = ? ORDER BY seq LIMIT ?')
          .all(page.afterSeq ?? 0, page.orgId, page.limit)
      : this.db
          .prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
          .all(page.afterSeq ?? 0, page.limit);
    return rows.map(toAuditEntry);
  }

  async subjectOf(userId: string): Promise<string> {
    const found = await this.findSubject(userId);
    if (found) return found;
    const subject = `sub_${randomBytes(10).toString('hex')}`;
    this.db
      .prepare('INSERT OR IGNORE INTO audit_subjects (user_id, subject) VALUES (?, ?)')
      .run(userId, subject);
    return (await this.findSubject(userId))!;
  }

  async findSubject(userId: string): Promise<string | null> {
    const r = this.db.prepare('SELECT subject FROM audit_subjects WHERE user_id = ?').get(userId) as
      { subject: string } | undefined;
    return r?.subject ?? null;
  }

  async deleteBefore(before: string): Promise<{ deleted: number; last: AuditEntry | null }> {
    return this.db
      .transaction(() => {
        const max =
          (this.db.prepare('SELECT MAX(seq) AS m FROM audit_log').get() as { m: number | null }).m ?? 0;
        const last = this.db
          .prepare('SELECT * FROM audit_log WHERE at < ? AND seq < ? ORDER BY seq DESC LIMIT 1')
          .get(before, max);
        if (!last) return { deleted: 0, last: null };
        const entry = toAuditEntry(last);
        const { changes } = this.db.prepare('DELETE FROM audit_log WHERE seq <= ?').run(entry.seq);
        this.db
          .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit.anchor', ?)")
          .run(`${entry.seq}:${entry.hash}`);
        return { deleted: changes, last: entry };
      })
      .immediate();
  }
}
