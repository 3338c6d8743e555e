import type { UsageRecord } from '../../accounts/model.js';
import type { UsageDay, UsageFilter, UsageRepo, UsageTotals } from '../accounts-spec.js';
import { toUsage, toUsageTotals, USAGE_SUMS, usageWhere } from '../shared-rows.js';
import { MAX_BUFFERED, quietly, UsageBuffer } from '../usage-buffer.js';
import { withTx, type Client, type Pool } from './db.js';

const where = (f: UsageFilter) => usageWhere(f, (n) => `$${n}`);

export { USAGE_FLUSH_MS } from '../usage-buffer.js';
const COLUMNS = 14;

function values(u: UsageRecord): unknown[] {
  return [
    u.at,
    u.orgId,
    u.userId,
    u.keyId,
    u.endpoint,
    u.model,
    Math.round(u.promptTokens),
    Math.round(u.completionTokens),
    u.credits,
    Math.round(u.latencyMs),
    u.ttftMs === null ? null : Math.round(u.ttftMs),
    u.status,
    u.energyWh,
    u.carbonG,
  ];
}

/** One multi-row INSERT, in recording order (ids, hence the `at DESC, id DESC` order, follow it). */
async function insertRows(db: Pool | Client, rows: UsageRecord[]): Promise<void> {
  const params: unknown[] = [];
  const tuples: string[] = [];
  for (const u of rows) {
    const base = params.length;
    params.push(...values(u));
    tuples.push(`(${Array.from({ length: COLUMNS }, (_, i) => `$${base + i + 1}`).join(', ')})`);
  }
  await db.query(
    `INSERT INTO usage (at, org_id, user_id, key_id, endpoint, model, prompt_tokens, completion_tokens,
       credits, latency_ms, ttft_ms, status, energy_wh, carbon_g) VALUES ${tuples.join(', ')}`,
    params,
  );
}

/**
 * Usage rows are buffered and written together, one multi-row INSERT every `USAGE_FLUSH_MS` (or
 * at `MAX_BUFFERED` rows): one round trip and one commit instead of one per request. Writes run one
 * after the other; reads through this store (usage lists and totals, personal data, erasure,
 * purge) wait for the buffer to be written first, and so does `close()`. Another replica sees rows
 * at most `USAGE_FLUSH_MS` late; a killed process loses at most that. Quotas do not read these
 * rows (they have their own counters, updated at once).
 */
export class PostgresUsage implements UsageRepo {
  private readonly buffer = new UsageBuffer(
    async (rows) => {
      // Rows per INSERT: 14 parameters each, far below PostgreSQL's 65 535.
      if (rows.length <= MAX_BUFFERED) return insertRows(this.pool, rows);
      await withTx(this.pool, async (c) => {
        for (let i = 0; i < rows.length; i += MAX_BUFFERED)
          await insertRows(c, rows.slice(i, i + MAX_BUFFERED));
      });
    },
    () => quietly(() => this.flush()),
  );
  /** The last write (or work run between writes): each one starts after the previous one. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly pool: Pool) {}

  async record(u: UsageRecord): Promise<void> {
    await this.buffer.add(u);
  }

  /** Writes the buffered rows; resolves once every row recorded before the call is in the table. */
  flush(): Promise<void> {
    return this.afterFlush(async () => undefined);
  }

  /**
   * Writes the buffered rows, then runs `fn` before any later write: what `fn` reads or changes
   * includes every row recorded before the call (rows recorded meanwhile stay in the buffer).
   */
  afterFlush<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      await this.buffer.writeNow();
      return fn();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Clears the user and key ids of the rows still in the buffer that name this user or these keys
   * (an erasure, run through `afterFlush`); returns how many rows changed.
   */
  anonymiseBuffered(userId: string, keyIds: string[]): number {
    return this.buffer.anonymise(userId, keyIds);
  }

  async list(f: UsageFilter): Promise<UsageRecord[]> {
    await this.flush();
    const w = where(f);
    const { rows } = await this.pool.query(
      `SELECT * FROM usage WHERE ${w.sql} ORDER BY at DESC, id DESC LIMIT $${w.params.length + 1}`,
      [...w.params, Math.max(0, Math.floor(f.limit ?? 100))],
    );
    return rows.map(toUsage);
  }

  async totals(f: UsageFilter): Promise<UsageTotals> {
    await this.flush();
    const w = where(f);
    const { rows } = await this.pool.query(`SELECT ${USAGE_SUMS} FROM usage WHERE ${w.sql}`, w.params);
    return toUsageTotals(rows[0]);
  }

  /** Days are the first ten characters of the ISO instant: UTC, as recorded. */
  async daily(f: UsageFilter): Promise<UsageDay[]> {
    await this.flush();
    const w = where(f);
    const { rows } = await this.pool.query(
      `SELECT substr(at, 1, 10) AS day, ${USAGE_SUMS} FROM usage WHERE ${w.sql} GROUP BY 1 ORDER BY 1`,
      w.params,
    );
    return rows.map((r: any) => ({ day: r.day, ...toUsageTotals(r) }));
  }
}
