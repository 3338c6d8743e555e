import type { AccountsDeps } from './deps.js';
import { footprintOf } from './footprint.js';
import type { Principal, UsageRecord } from './model.js';
import { chargeChecks } from './quotas.js';
import { scopesFor } from './enforce-quota.js';

export interface UsageInput {
  principal: Principal;
  endpoint: string;
  model: string | null;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  ttftMs: number | null;
  status: number;
  now?: number;
}

/**
 * Charges the tokens and credits of a served request to its organisation and key counters, then
 * writes its usage row (counts and estimates only, never text). Returns the row written.
 */
export async function recordUsage(deps: AccountsDeps, u: UsageInput): Promise<UsageRecord> {
  const now = u.now ?? Date.now();
  const promptTokens = Math.max(0, Math.round(u.promptTokens));
  const completionTokens = Math.max(0, Math.round(u.completionTokens));
  const tokens = promptTokens + completionTokens;
  const fp = footprintOf(deps.config, u.model, tokens);
  if (tokens > 0) {
    const charges = chargeChecks(await scopesFor(deps, u.principal), now, tokens, fp.milliCredits);
    if (charges.length > 0) await deps.limiter.consume(charges, now);
  }
  const row: UsageRecord = {
    at: new Date(now).toISOString(),
    orgId: u.principal.orgId,
    userId: u.principal.userId,
    keyId: u.principal.keyId,
    endpoint: u.endpoint,
    model: u.model,
    promptTokens,
    completionTokens,
    credits: fp.credits,
    latencyMs: Math.max(0, Math.round(u.latencyMs)),
    ttftMs: u.ttftMs === null ? null : Math.max(0, Math.round(u.ttftMs)),
    status: u.status,
    energyWh: fp.energyWh,
    carbonG: fp.carbonG,
  };
  await deps.store.accounts.usage.record(row);
  return row;
}
