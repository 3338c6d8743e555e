import type { UsageRecord } from '../../accounts/model.js';
import type { UsageDay, UsageFilter, UsageRepo, UsageTotals } from '../accounts-spec.js';
import { num, toUsage } from '../shared-rows.js';
import type { Pool } from './db.js';

const SUMS = `count(*) AS requests, coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
  coalesce(sum(completion_tokens), 0) AS completion_tokens, coalesce(sum(credits), 0) AS credits,
  coalesce(sum(energy_wh), 0) AS energy_wh, coalesce(sum(carbon_g), 0) AS carbon_g`;

function where(f: UsageFilter): { sql: string; params: unknown[] } {
  const parts = ['org_id = $1'];
  const params: unknown[] = [f.orgId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    parts.push(sql.replace('?', `$${params.length}`));
  };
  if (f.from) add('at >= ?', f.from);
  if (f.to) add('at < ?', f.to);
  if (f.model) add('model = ?', f.model);
  return { sql: parts.join(' AND '), params };
}

function toTotals(r: any): UsageTotals {
  return {
    requests: num(r.requests),
    promptTokens: num(r.prompt_tokens),
    completionTokens: num(r.completion_tokens),
    credits: num(r.credits),
    energyWh: num(r.energy_wh),
    carbonG: num(r.carbon_g),
  };
}

export class PostgresUsage implements UsageRepo {
  constructor(private readonly pool: Pool) {}

  async record(u: UsageRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO usage (at, org_id, user_id, key_id, endpoint, model, prompt_tokens, completion_tokens,
         credits, latency_ms, ttft_ms, status, energy_wh, carbon_g)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
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
      ],
    );
  }

  async list(f: UsageFilter): Promise<UsageRecord[]> {
    const w = where(f);
    const { rows } = await this.pool.query(
      `SELECT * FROM usage WHERE ${w.sql} ORDER BY at DESC, id DESC LIMIT $${w.params.length + 1}`,
      [...w.params, Math.max(0, Math.floor(f.limit ?? 100))],
    );
    return rows.map(toUsage);
  }

  async totals(f: UsageFilter): Promise<UsageTotals> {
    const w = where(f);
    const { rows } = await this.pool.query(`SELECT ${SUMS} FROM usage WHERE ${w.sql}`, w.params);
    return toTotals(rows[0]);
  }

  /** Days are the first ten characters of the ISO instant: UTC, as recorded. */
  async daily(f: UsageFilter): Promise<UsageDay[]> {
    const w = where(f);
    const { rows } = await this.pool.query(
      `SELECT substr(at, 1, 10) AS day, ${SUMS} FROM usage WHERE ${w.sql} GROUP BY 1 ORDER BY 1`,
      w.params,
    );
    return rows.map((r: any) => ({ day: r.day, ...toTotals(r) }));
  }
}
