import type { ApiKey, Organisation, QuotaLimits, UsageRecord, User } from '../../accounts/model.js';

export function toOrganisation(r: any): Organisation {
  return {
    id: r.id,
    name: r.name,
    siret: r.siret,
    emailDomains: JSON.parse(r.email_domains),
    sensitive: r.sensitive === 1,
    allowSelfSignup: r.allow_self_signup === 1,
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
    requestsPerMinute: r.requests_per_minute,
    requestsPerDay: r.requests_per_day,
    tokensPerMinute: r.tokens_per_minute,
    tokensPerDay: r.tokens_per_day,
    monthlyCredits: r.monthly_credits,
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
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    credits: r.credits,
    latencyMs: r.latency_ms,
    ttftMs: r.ttft_ms,
    status: r.status,
    energyWh: r.energy_wh,
    carbonG: r.carbon_g,
  };
}

/** True when better-sqlite3 reports a UNIQUE / PRIMARY KEY violation. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? '';
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
