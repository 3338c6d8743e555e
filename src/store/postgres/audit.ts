import { randomBytes } from 'node:crypto';
import type { AuditEntry, AuditRepo, NewAuditEntry } from '../privacy-spec.js';
import { toAuditEntry } from '../shared-rows.js';
import { withTx, type Client, type Pool } from './db.js';
import { LOCK_KEY } from './locks.js';

/** Hash placed before the first entry of the chain. */
export const GENESIS_HASH = '0'.repeat(64);
/** Transaction advisory lock taken by every writer of the chain, whatever the replica. */
export const AUDIT_LOCK = 'guichet.audit';

async function setMeta(c: Client, key: string, value: string): Promise<void> {
  await c.query(
    'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    [key, value],
  );
}

/**
 * The hash-chained audit log. Appends from every replica take the same advisory lock inside their
 * transaction, so each one reads the true last entry and the chain never forks; `data` is kept as
 * the exact JSON text that was hashed.
 */
export class PostgresAudit implements AuditRepo {
  constructor(private readonly pool: Pool) {}

  async append(entry: NewAuditEntry, seal: (seq: number, prevHash: string) => string): Promise<AuditEntry> {
    return withTx(this.pool, async (c) => {
      await c.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`, [AUDIT_LOCK]);
      const last = (await c.query('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')).rows[0] as
        { seq: string; hash: string } | undefined;
      const anchor = last
        ? null
        : (((await c.query(`SELECT value FROM meta WHERE key = 'audit.anchor'`)).rows[0]?.value as
            string | undefined) ?? null);
      const seq = last ? Number(last.seq) + 1 : anchor ? Number(anchor.split(':')[0]) + 1 : 1;
      const prevHash = last ? last.hash : anchor ? anchor.split(':')[1] : GENESIS_HASH;
      const hash = seal(seq, prevHash);
      await c.query(
        'INSERT INTO audit_log (seq, at, type, org_id, actor, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [seq, entry.at, entry.type, entry.orgId, entry.actor, JSON.stringify(entry.data), prevHash, hash],
      );
      await setMeta(c, 'audit.head', `${seq}:${hash}`);
      return { ...entry, seq, prevHash, hash };
    });
  }

  async list(page: { afterSeq?: number; limit: number; orgId?: string }): Promise<AuditEntry[]> {
    const limit = Math.max(0, Math.floor(page.limit));
    const { rows } = page.orgId
      ? await this.pool.query(
          'SELECT * FROM audit_log WHERE seq > $1 AND org_id = $2 ORDER BY seq LIMIT $3',
          [page.afterSeq ?? 0, page.orgId, limit],
        )
      : await this.pool.query('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
          page.afterSeq ?? 0,
          limit,
        ]);
    return rows.map(toAuditEntry);
  }

  async subjectOf(userId: string): Promise<string> {
    const found = await this.findSubject(userId);
    if (found) return found;
    await this.pool.query(
      'INSERT INTO audit_subjects (user_id, subject) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [userId, `sub_${randomBytes(10).toString('hex')}`],
    );
    return (await this.findSubject(userId))!;
  }

  async findSubject(userId: string): Promise<string | null> {
    const { rows } = await this.pool.query('SELECT subject FROM audit_subjects WHERE user_id = $1', [userId]);
    return rows[0]?.subject ?? null;
  }

  async deleteBefore(before: string): Promise<{ deleted: number; last: AuditEntry | null }> {
    return withTx(this.pool, async (c) => {
      await c.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`, [AUDIT_LOCK]);
      const max = Number((await c.query('SELECT coalesce(max(seq), 0) AS m FROM audit_log')).rows[0].m);
      const row = (
        await c.query('SELECT * FROM audit_log WHERE at < $1 AND seq < $2 ORDER BY seq DESC LIMIT 1', [
          before,
          max,
        ])
      ).rows[0];
      if (!row) return { deleted: 0, last: null };
      const last = toAuditEntry(row);
      const { rowCount } = await c.query('DELETE FROM audit_log WHERE seq <= $1', [last.seq]);
      await setMeta(c, 'audit.anchor', `${last.seq}:${last.hash}`);
      return { deleted: rowCount ?? 0, last };
    });
  }
}
