import { fits, type LimitCheck, type LimitResult } from '../../accounts/limiter.js';
import { accountsChanged } from '../../accounts/lookup-cache.js';
import type { QuotaLimits, QuotaScope } from '../../accounts/model.js';
import type { CounterRepo, QuotaRepo } from '../accounts-spec.js';
import { num, quotaValues, toQuota } from '../shared-rows.js';
import { withTx, type Pool } from './db.js';

export class PostgresQuotas implements QuotaRepo {
  constructor(private readonly pool: Pool) {}

  async get(scope: QuotaScope, subjectId: string): Promise<QuotaLimits | null> {
    const { rows } = await this.pool.query('SELECT * FROM quotas WHERE scope = $1 AND subject_id = $2', [
      scope,
      subjectId,
    ]);
    return rows[0] ? toQuota(rows[0]) : null;
  }

  async set(scope: QuotaScope, subjectId: string, l: QuotaLimits): Promise<QuotaLimits> {
    const { rows } = await this.pool.query(
      `INSERT INTO quotas (scope, subject_id, requests_per_minute, requests_per_day, tokens_per_minute, tokens_per_day,
         monthly_credits) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (scope, subject_id) DO UPDATE SET requests_per_minute = excluded.requests_per_minute,
         requests_per_day = excluded.requests_per_day, tokens_per_minute = excluded.tokens_per_minute,
         tokens_per_day = excluded.tokens_per_day, monthly_credits = excluded.monthly_credits
       RETURNING *`,
      quotaValues(scope, subjectId, l),
    );
    accountsChanged();
    return toQuota(rows[0]);
  }

  async remove(scope: QuotaScope, subjectId: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM quotas WHERE scope = $1 AND subject_id = $2', [
      scope,
      subjectId,
    ]);
    accountsChanged();
    return (r.rowCount ?? 0) > 0;
  }
}

/**
 * Fixed-window counters shared by every replica. One transaction per call: an upsert creates the
 * missing counters and locks all of them (in key order, so two callers never deadlock), the check
 * runs on the locked values, then either one UPDATE adds every cost or the transaction is rolled
 * back (nothing changed, not even the counters just created). Concurrent callers wait on the row
 * locks: the result is exact across processes.
 */
export class PostgresCounters implements CounterRepo {
  constructor(private readonly pool: Pool) {}

  async consume(checks: LimitCheck[], now: number): Promise<LimitResult> {
    if (checks.length === 0) return { allowed: true, used: [], denied: -1 };
    const resetOf = new Map<string, number>();
    for (const c of checks) resetOf.set(c.key, Math.max(resetOf.get(c.key) ?? 0, c.resetAt));
    const keys = [...resetOf.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const denied = Symbol('denied');
    try {
      return await withTx(this.pool, async (c) => {
        const { rows } = await c.query<{ key: string; n: string; expires_at: string }>(
          `INSERT INTO rate_counters AS r (key, n, expires_at)
           SELECT k, 0, e FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(k, e, o) ORDER BY o
           ON CONFLICT (key) DO UPDATE SET n = r.n
           RETURNING key, n, expires_at`,
          [keys, keys.map((k) => resetOf.get(k)!)],
        );
        // A counter whose window has ended counts from zero again (like SQLite's read).
        const current = new Map(rows.map((r) => [r.key, Number(r.expires_at) > now ? num(r.n) : 0]));
        const used = checks.map((ch) => current.get(ch.key) ?? 0);
        const refused = checks.findIndex((ch, i) => !fits(used[i], ch));
        if (refused >= 0)
          throw Object.assign(new Error('refused'), { [denied]: { allowed: false, used, denied: refused } });
        const after = checks.map((ch) => {
          const n = (current.get(ch.key) ?? 0) + ch.cost;
          current.set(ch.key, n);
          return n;
        });
        await c.query(
          `UPDATE rate_counters AS r SET n = u.n, expires_at = GREATEST(r.expires_at, u.e)
           FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(k, n, e) WHERE r.key = u.k`,
          [keys, keys.map((k) => current.get(k)!), keys.map((k) => resetOf.get(k)!)],
        );
        return { allowed: true, used: after, denied: -1 };
      });
    } catch (e) {
      const result = (e as Record<symbol, LimitResult> | null)?.[denied];
      if (result) return result;
      throw e;
    }
  }

  async sweep(now: number): Promise<void> {
    await this.pool.query('DELETE FROM rate_counters WHERE expires_at <= $1', [now]);
  }
}
