import type { ApiKey, Organisation, QuotaLimits, UsageRecord, User } from '../../accounts/model.js';
import { jsonArray } from '../shared-rows.js';

// `pg` returns BIGINT (and SUM/COUNT) as strings: numbers are converted here, nulls kept.

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function toOrganisation(r: any): Organisation {
  return {
    id: r.id,
    name: r.name,
    siret: r.siret,
    emailDomains: jsonArray(r.email_domains).filter((d): d is string => typeof d === 'string'),
    sensitive: r.sensitive === true,
    allowSelfSignup: r.allow_self_signup === true,
    createdAt: r.created_at,
  };
}

export function toUser(r: any): User {
  return { id: r.id, email: r.email, name: r.name, orgId: r.org_id, role: r.role, createdAt: r.created_at };
}

export function toApiKey(r: any): ApiKey {
  return {
    id: r.id,
    orgId: r.org_id,
    userId: r.user_id,
    name: r.name,
    role: r.role,
    prefix: r.prefix,
    hash: r.hash,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

export function toQuota(r: any): QuotaLimits {
  return {
    requestsPerMinute: numOrNull(r.requests_per_minute),
    requestsPerDay: numOrNull(r.requests_per_day),
    tokensPerMinute: numOrNull(r.tokens_per_minute),
    tokensPerDay: numOrNull(r.tokens_per_day),
    monthlyCredits: numOrNull(r.monthly_credits),
  };
}

export function toUsage(r: any): UsageRecord {
  return {
    at: r.at,
    orgId: r.org_id,
    userId: r.user_id,
    keyId: r.key_id,
    endpoint: r.endpoint,
    model: r.model,
    promptTokens: num(r.prompt_tokens),
    completionTokens: num(r.completion_tokens),
    credits: num(r.credits),
    latencyMs: num(r.latency_ms),
    ttftMs: numOrNull(r.ttft_ms),
    status: num(r.status),
    energyWh: numOrNull(r.energy_wh),
    carbonG: numOrNull(r.carbon_g),
  };
}
