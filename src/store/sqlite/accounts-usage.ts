import type { UsageRecord } from '../../accounts/model.js';
import type { UsageDay, UsageFilter, UsageRepo, UsageTotals } from '../accounts-spec.js';
import { toUsage, toUsageTotals, USAGE_SUMS, usageWhere } from '../shared-rows.js';
import { quietly, UsageBuffer } from '../usage-buffer.js';
import type { Db } from './open.js';

const where = (f: UsageFilter) => usageWhere(f, () => '?');

export { USAGE_FLUSH_MS } from '../usage-buffer.js';

/**
 * Usage rows are buffered (`UsageBuffer`) and written together, in one transaction, every
 * `USAGE_FLUSH_MS` or every `MAX_BUFFERED` rows. Reads through this store (usage lists and totals,
 * personal data, purge) write the buffer first, and so does `close()`; another process reading the
 * file sees rows at most `USAGE_FLUSH_MS` late.
 */
export class SqliteUsage implements UsageRepo {
  private readonly insert;
  private readonly buffer: UsageBuffer;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO usage (at, org_id, user_id, key_id, endpoint, model, prompt_tokens, completion_tokens,
         credits, latency_ms, ttft_ms, status, energy_wh, carbon_g) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertAll = db.transaction((rows: UsageRecord[]) => {
      for (const u of rows) {
        this.insert.run(
          u.at,
          u.orgId,
          u.userId,
          u.keyId,
          u.endpoint,
          u.model,
          u.promptTokens,
          u.completionTokens,
          u.credits,
          u.latencyMs,
          u.ttftMs,
          u.status,
          u.energyWh,
          u.carbonG,
        );
      }
    });
    this.buffer = new UsageBuffer(
      (rows) => insertAll.immediate(rows),
      () => quietly(() => this.flush()),
    );
  }

  async record(u: UsageRecord): Promise<void> {
    await this.buffer.add(u);
  }

  /** Writes the buffered rows now (synchronous: nothing else touches the database meanwhile). */
  flush(): void {
    if (this.db.open) void this.buffer.writeNow();
  }

  async list(f: UsageFilter): Promise<UsageRecord[]> {
    this.flush();
    const w = where(f);
    return this.db
      .prepare(`SELECT * FROM usage WHERE ${w.sql} ORDER BY at DESC, id DESC LIMIT ?`)
      .all(...w.params, f.limit ?? 100)
      .map(toUsage);
  }

  async totals(f: UsageFilter): Promise<UsageTotals> {
    this.flush();
    const w = where(f);
    return toUsageTotals(this.db.prepare(`SELECT ${USAGE_SUMS} FROM usage WHERE ${w.sql}`).get(...w.params));
  }

  async daily(f: UsageFilter): Promise<UsageDay[]> {
    this.flush();
    const w = where(f);
    return this.db
      .prepare(
        `SELECT substr(at, 1, 10) AS day, ${USAGE_SUMS} FROM usage WHERE ${w.sql} GROUP BY day ORDER BY day`,
      )
      .all(...w.params)
      .map((r: any) => ({ day: r.day, ...toUsageTotals(r) }));
  }
}
