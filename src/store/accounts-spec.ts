/**
 * Repositories of the accounts domain (organisations, users, keys, quotas, rate counters, usage).
 * Async and SQL-free: each Store adapter (sqlite/, postgres/) implements them.
 */
import type { LimitCheck, LimitResult } from '../accounts/limiter.js';
import type {
  ApiKey,
  Organisation,
  QuotaLimits,
  QuotaScope,
  Role,
  Service,
  UsageRecord,
  User,
} from '../accounts/model.js';
import type { SessionRepo, SetupRepo } from './sessions-spec.js';

export interface NewOrganisation {
  id?: string;
  name: string;
  siret?: string | null;
  emailDomains?: string[];
  sensitive?: boolean;
  allowSelfSignup?: boolean;
}

export interface NewUser {
  email: string;
  name: string;
  orgId: string;
  role: Role;
}

export interface NewApiKey {
  orgId: string;
  userId: string | null;
  name: string;
  role: Role;
  prefix: string;
  hash: string;
  expiresAt: string | null;
}

export interface OrganisationRepo {
  /** Throws AppError('conflict') when the id is taken. */
  create(input: NewOrganisation): Promise<Organisation>;
  get(id: string): Promise<Organisation | null>;
  list(): Promise<Organisation[]>;
}

export interface UserRepo {
  /** Throws AppError('conflict') when the e-mail (case-insensitive) is taken; AppError('not_found') for an unknown org. */
  create(input: NewUser): Promise<User>;
  get(id: string): Promise<User | null>;
  getByEmail(email: string): Promise<User | null>;
  list(orgId: string): Promise<User[]>;
  /** Attaches the person to a service of their organisation (null: to none); null when unknown. */
  setService(id: string, serviceId: string | null): Promise<User | null>;
  /**
   * Moves a person to another organisation (and role), in one transaction: their keys are revoked
   * (they act for the old organisation) and their sessions, key sessions included, are deleted; the
   * person leaves their service (it belongs to the old organisation).
   * Null for an unknown person; AppError('not_found') for an unknown organisation.
   */
  move(id: string, orgId: string, role: Role): Promise<UserMove | null>;
}

/** Services of organisations, and the pilot flag of an organisation or a service. */
export interface ServiceRepo {
  /** Throws AppError('conflict') when the organisation already has a service of that name (any case). */
  create(input: { orgId: string; name: string; pilotSince?: string | null }): Promise<Service>;
  get(id: string): Promise<Service | null>;
  /** By name. */
  list(orgId: string): Promise<Service[]>;
  /** Throws AppError('conflict') as `create`; null when unknown. */
  update(id: string, patch: { name?: string; pilotSince?: string | null }): Promise<Service | null>;
  /** The service deleted (its people then belong to none; conversations keep its id); null when unknown. */
  delete(id: string): Promise<Service | null>;
  /** Day the organisation as a whole started a pilot; null when it is not in pilot. */
  orgPilot(orgId: string): Promise<string | null>;
  setOrgPilot(orgId: string, since: string | null): Promise<{ orgId: string; pilotSince: string | null }>;
}

/** A person after a move, with where they came from and what was ended. */
export interface UserMove extends User {
  fromOrgId: string;
  revokedKeys: number;
  endedSessions: number;
}

export interface ApiKeyRepo {
  /** Throws AppError('conflict') when the prefix is taken (the caller draws another key). */
  create(input: NewApiKey): Promise<ApiKey>;
  get(id: string): Promise<ApiKey | null>;
  /** The key with this visible prefix, revoked or expired included (the caller decides). */
  findByPrefix(prefix: string): Promise<ApiKey | null>;
  list(orgId?: string): Promise<ApiKey[]>;
  count(): Promise<number>;
  /** Sets revokedAt when not yet revoked; returns the key (null when unknown). */
  revoke(id: string, at: string): Promise<ApiKey | null>;
  /** Records the last use (callers throttle: at most once a minute per key). */
  touch(id: string, at: string): Promise<void>;
}

export interface QuotaRepo {
  /** Stored limits of an organisation or key; null when none were set. */
  get(scope: QuotaScope, subjectId: string): Promise<QuotaLimits | null>;
  set(scope: QuotaScope, subjectId: string, limits: QuotaLimits): Promise<QuotaLimits>;
  /** Forgets the stored limits (the configured defaults apply again); false when none were stored. */
  remove(scope: QuotaScope, subjectId: string): Promise<boolean>;
}

export interface CounterRepo {
  /** Atomic check-and-increment of fixed-window counters, see `RateLimiter.consume`. */
  consume(checks: LimitCheck[], now: number): Promise<LimitResult>;
  /** Forgets counters whose window ended before `now`. */
  sweep(now: number): Promise<void>;
}

export interface UsageFilter {
  orgId: string;
  /** ISO instants, `from` inclusive, `to` exclusive. */
  from?: string;
  to?: string;
  model?: string;
  limit?: number;
}

export interface UsageTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  credits: number;
  energyWh: number;
  carbonG: number;
}

export interface UsageDay extends UsageTotals {
  /** YYYY-MM-DD (UTC). */
  day: string;
}

export interface UsageRepo {
  record(row: UsageRecord): Promise<void>;
  /** Most recent first. */
  list(filter: UsageFilter): Promise<UsageRecord[]>;
  totals(filter: UsageFilter): Promise<UsageTotals>;
  daily(filter: UsageFilter): Promise<UsageDay[]>;
}

export interface AccountsRepo {
  readonly orgs: OrganisationRepo;
  readonly users: UserRepo;
  readonly services: ServiceRepo;
  readonly keys: ApiKeyRepo;
  readonly quotas: QuotaRepo;
  readonly counters: CounterRepo;
  readonly usage: UsageRepo;
  /** Browser sessions (OIDC, API key sign-in, set-up). */
  readonly sessions: SessionRepo;
  /** One-time set-up links for the first administrator. */
  readonly setup: SetupRepo;
}
