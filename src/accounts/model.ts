/**
 * The accounts domain: organisations, people, roles, API keys, quotas and usage. Plain types, no
 * I/O; the store persists them (`store/accounts-spec.ts`), the use cases beside this file act on them.
 */

/** Organisation roles, from least to most powerful, then the platform role. */
export const LADDER = ['agent', 'developer', 'admin', 'superadmin'] as const;
/**
 * Every role: the ladder, and `dpo` beside it (the data protection officer reads privacy, audit
 * and usage and changes nothing; an admin may grant it).
 */
export const ROLES = [...LADDER, 'dpo'] as const;
export type Role = (typeof ROLES)[number];

/** The organisation `guichet serve` creates on a fresh install. */
export const DEFAULT_ORG_ID = 'default';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` is at least as powerful as `other` (`dpo`: only itself, an admin or above). */
export function roleAtLeast(role: Role, other: Role): boolean {
  if (other === 'dpo') return role === 'dpo' || role === 'admin' || role === 'superadmin';
  if (role === 'dpo') return false;
  return LADDER.indexOf(role) >= LADDER.indexOf(other);
}

export interface Organisation {
  id: string;
  name: string;
  siret: string | null;
  /** Lower-case e-mail domains whose people belong to this organisation (OIDC sign-in). */
  emailDomains: string[];
  /** Reserved for the privacy work: stricter handling of personal data. */
  sensitive: boolean;
  /** First OIDC sign-in from an allowed domain creates the user as `agent`. */
  allowSelfSignup: boolean;
  createdAt: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  orgId: string;
  role: Role;
  /** The service (sub-unit of the organisation) the person works in, if any. */
  serviceId: string | null;
  createdAt: string;
}

/** A sub-unit of an organisation ("Accueil", "Service juridique"); a person belongs to 0 or 1. */
export interface Service {
  id: string;
  orgId: string;
  name: string;
  /** Day (`YYYY-MM-DD`) the service started a pilot; null when it is not in pilot. */
  pilotSince: string | null;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  orgId: string;
  userId: string | null;
  name: string;
  role: Role;
  /** Visible part (first characters after `gch_`), unique; used to find the key and to list it. */
  prefix: string;
  /** Hex SHA-256 of the whole key; the key itself is never stored. */
  hash: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** Who is calling, put on the request context by the auth middleware. */
export interface Principal {
  orgId: string;
  userId: string | null;
  keyId: string | null;
  role: Role;
  via: 'key' | 'session';
}

/** Limits of an organisation or a key; `null` = no limit at this level. */
export interface QuotaLimits {
  requestsPerMinute: number | null;
  requestsPerDay: number | null;
  tokensPerMinute: number | null;
  tokensPerDay: number | null;
  monthlyCredits: number | null;
}

export const NO_LIMITS: QuotaLimits = {
  requestsPerMinute: null,
  requestsPerDay: null,
  tokensPerMinute: null,
  tokensPerDay: null,
  monthlyCredits: null,
};

/** `ceiling`: the limits a superadmin set on an organisation, that its admins cannot loosen. */
export type QuotaScope = 'org' | 'key' | 'ceiling';

/** One served request, as recorded: never the prompt or the answer text. */
export interface UsageRecord {
  at: string;
  orgId: string;
  userId: string | null;
  keyId: string | null;
  endpoint: string;
  model: string | null;
  promptTokens: number;
  completionTokens: number;
  credits: number;
  latencyMs: number;
  ttftMs: number | null;
  status: number;
  energyWh: number | null;
  carbonG: number | null;
}
