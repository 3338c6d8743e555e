import type { UsageRecord } from '../../src/accounts/model.js';

/** A usage row of a chat completion, `i` ms before now, for this user and key. */
export const usageRow = (
  i: number,
  userId: string | null = null,
  keyId: string | null = null,
): UsageRecord => ({
  at: new Date(Date.now() - i).toISOString(),
  orgId: 'default',
  userId,
  keyId,
  endpoint: 'POST /v1/chat/completions',
  model: 'm',
  promptTokens: 10,
  completionTokens: 4,
  credits: 0.014,
  latencyMs: 3,
  ttftMs: null,
  status: 200,
  energyWh: null,
  carbonG: null,
});
