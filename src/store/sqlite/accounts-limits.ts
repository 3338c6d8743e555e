import { fits, type LimitCheck, type LimitResult } from '../../accounts/limiter.js';
import { accountsChanged } from '../../accounts/lookup-cache.js';
import type { QuotaLimits, QuotaScope } from '../../accounts/model.js';
import type { CounterRepo, QuotaRepo } from '../accounts-spec.js';
import { quotaValues, toQuota } from '../shared-rows.js';
import type { Db } from './open.js';

export class SqliteQuotas implements QuotaRepo {
  constructor(private readonly db: Db) {}

  async get(scope: QuotaScope, subjectId: string): Promise<QuotaLimits | null> {
    const r = this.db
      .prepare('SELECT * FROM quotas WHERE scope = ? AND subject_id = ?')
      .get(scope, subjectId);
    return r ? toQuota(r) : null;
  }

  async set(scope: QuotaScope, subjectId: string, l: QuotaLimits): Promise<QuotaLimits> {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO quotas (scope, subject_id, requests_per_minute, requests_per_day,
           tokens_per_minute, tokens_per_day, monthly_credits) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...quotaValues(scope, subjectId, l));
    accountsChanged();
    return (await this.get(scope, subjectId))!;
  }

  async remove(scope: QuotaScope, subjectId: string): Promise<boolean> {
    const r = this.db.prepare('DELETE FROM quotas WHERE scope = ? AND subject_id = ?').run(scope, subjectId);
    accountsChanged();
    return r.changes > 0;
  }
}

/**
 * Fixed-window counters. The check and the increments run in one IMMEDIATE transaction: the write
 * lock is taken first, so concurrent callers (in this process or another one on the same file)
 * are serialised and the result is exact.
 */
export class SqliteCounters implements CounterRepo {
  private readonly read;
  private readonly add;
  private readonly run;

  constructor(private readonly db: Db) {
    this.read = db.prepare('SELECT n FROM rate_counters WHERE key = ? AND expires_at > ?').pluck();
    this.add = db
      .prepare(
        `INSERT INTO rate_counters (key, n, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET n = n + excluded.n RETURNING n`,
      )
      .pluck();
    this.run = db.transaction((checks: LimitCheck[], now: number): LimitResult => {
      const used = checks.map((c) => (this.read.get(c.key, now) as number | undefined) ?? 0);
      const denied = checks.findIndex((c, i) => !fits(used[i], c));
      if (denied >= 0) return { allowed: false, used, denied };
      const after = checks.map((c, i) =>
        c.cost === 0 ? used[i] : (this.add.get(c.key, c.cost, c.resetAt) as number),
      );
      return { allowed: true, used: after, denied: -1 };
    });
  }

  async consume(checks: LimitCheck[], now: number): Promise<LimitResult> {
    return this.run.immediate(checks, now);
  }

  async sweep(now: number): Promise<void> {
    this.db.prepare('DELETE FROM rate_counters WHERE expires_at <= ?').run(now);
  }
}
