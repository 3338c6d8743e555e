/**
 * Row-to-model pieces that are the same for every adapter (column names and JSON text are shared
 * by the SQLite and PostgreSQL schemas).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../shared/errors.js';
import type {
  ApiKey,
  Organisation,
  QuotaLimits,
  QuotaScope,
  Service,
  UsageRecord,
  User,
} from '../accounts/model.js';
import type { NewApiKey, UsageFilter, UsageTotals } from './accounts-spec.js';
import type { StoredAiTool } from './ai-tools-spec.js';
import type { AuditEntry, Conversation, Feedback, StoredMessage } from './privacy-spec.js';
import type { PendingSignIn, SetupToken, StoredSession } from './sessions-spec.js';
import type { TrainingCompletion, TrainingQuiz } from './training-spec.js';
import type { ChunkWithDocument, Collection, DocumentInput, StoredChunk, StoredDocument } from './spec.js';

// The adapters' drivers differ in types only: better-sqlite3 returns booleans as 0/1 and JSON
// columns as text; `pg` returns booleans, parses JSON columns, and BIGINT as decimal strings.

/** A new row id: the prefix, then 20 hex digits of a random UUID. */
export const newId = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 20)}`;

/** A boolean column (SQLite 0/1, PostgreSQL boolean). */
export const flag = (v: unknown): boolean => v === true || v === 1;

/** A number column (`pg` returns BIGINT, SUM and COUNT as strings); null reads as 0. */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A JSON column (SQLite text, PostgreSQL already parsed). */
export const json = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : v);

/** A JSON array kept as text; anything unreadable reads as empty. */
export function jsonArray(raw: unknown): unknown[] {
  try {
    const v: unknown = JSON.parse(String(raw));
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

export const toFeedback = (r: any): Feedback => ({
  id: r.id,
  messageId: r.message_id,
  orgId: r.org_id,
  userId: r.user_id,
  rating: r.rating,
  tags: jsonArray(r.tags).filter((t): t is string => typeof t === 'string'),
  comment: r.comment,
  createdAt: r.created_at,
});

export const toConversation = (r: any): Conversation => ({
  id: r.id,
  orgId: r.org_id,
  userId: r.user_id,
  serviceId: r.service_id ?? null,
  title: r.title,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toMessage = (r: any): StoredMessage => ({
  id: r.id,
  conversationId: r.conversation_id,
  role: r.role,
  content: r.content,
  createdAt: r.created_at,
  citations: jsonArray(r.citations),
  complete: flag(r.complete),
  reviewedBy: r.reviewed_by ?? null,
  reviewedAt: r.reviewed_at ?? null,
  noSource: flag(r.no_source),
});

export const toAiTool = (r: any): StoredAiTool => {
  let details: unknown = null;
  try {
    details = json(r.details);
  } catch {
    // An unreadable details column reads as empty (the name is kept).
  }
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    details:
      details && typeof details === 'object' && !Array.isArray(details)
        ? (details as Record<string, unknown>)
        : {},
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
};

/** An audit entry; `data` is JSON text (the exact text that was hashed), an unreadable one kept as a hint. */
export function toAuditEntry(r: any): AuditEntry {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(r.data);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      data = parsed as Record<string, unknown>;
  } catch {
    data = { unreadable: String(r.data).slice(0, 64) };
  }
  return {
    seq: Number(r.seq),
    at: r.at,
    type: r.type,
    orgId: r.org_id,
    actor: r.actor,
    data,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Chunks with their documents, in the order of the ids asked (missing ones left out). */
export function attachDocuments(
  chunkIds: string[],
  chunks: StoredChunk[],
  documents: StoredDocument[],
): ChunkWithDocument[] {
  const docs = new Map(documents.map((d) => [d.id, d]));
  const byId = new Map(chunks.map((c) => [c.id, c]));
  return chunkIds
    .map((id) => byId.get(id))
    .filter((c): c is StoredChunk => !!c && docs.has(c.documentId))
    .map((c) => ({ ...c, document: docs.get(c.documentId)! }));
}

export function toCollection(r: any): Collection {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    description: r.description,
    visibility: r.visibility,
    builtin: flag(r.builtin),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toDocument(r: any): StoredDocument {
  return {
    id: r.id,
    collectionId: r.collection_id,
    externalId: r.external_id,
    title: r.title,
    description: r.description,
    url: r.url,
    kind: r.kind,
    audience: r.audience,
    breadcrumb: json(r.breadcrumb),
    date: r.date,
    hash: r.hash,
    metadata: json(r.metadata),
    chunkCount: r.chunk_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Chunk ids are the rowid in decimal, whatever the driver returns (number or string). */
export function toChunk(r: any): StoredChunk {
  return {
    id: String(r.rowid),
    documentId: r.document_id,
    collectionId: r.collection_id,
    ordinal: r.ordinal,
    path: json(r.path),
    text: r.text,
    tokens: r.tokens,
  };
}

export const DOC_COLUMNS =
  'id, collection_id, external_id, title, description, url, kind, audience, breadcrumb, date, hash, metadata, chunk_count, created_at, updated_at';
export const CHUNK_COLUMNS = 'rowid, document_id, collection_id, ordinal, path, text, tokens';

/**
 * A document's values for the columns `id` to `chunk_count` of an INSERT (or UPDATE) of `documents`,
 * in table order; the caller adds the dates.
 */
export function documentValues(id: string, input: DocumentInput): unknown[] {
  return [
    id,
    input.collectionId,
    input.externalId,
    input.title,
    input.description,
    input.url,
    input.kind,
    input.audience,
    JSON.stringify(input.breadcrumb),
    input.date,
    input.hash,
    JSON.stringify(input.metadata),
    input.markdown,
    input.chunks.length,
  ];
}

export function toOrganisation(r: any): Organisation {
  return {
    id: r.id,
    name: r.name,
    siret: r.siret,
    emailDomains: jsonArray(r.email_domains).filter((d): d is string => typeof d === 'string'),
    sensitive: flag(r.sensitive),
    allowSelfSignup: flag(r.allow_self_signup),
    createdAt: r.created_at,
  };
}

export function toUser(r: any): User {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    orgId: r.org_id,
    role: r.role,
    serviceId: r.service_id ?? null,
    createdAt: r.created_at,
  };
}

export const serviceTaken = (name: string): AppError =>
  new AppError('conflict', `Un service nommé « ${name} » existe déjà dans l'organisation.`);

export function toService(r: any): Service {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    pilotSince: r.pilot_since ?? null,
    createdAt: r.created_at,
  };
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

/**
 * A new key's values for `api_keys (id, org_id, user_id, name, role, prefix, hash, created_at,
 * expires_at)`, created now.
 */
export function apiKeyValues(id: string, input: NewApiKey): unknown[] {
  return [
    id,
    input.orgId,
    input.userId,
    input.name,
    input.role,
    input.prefix,
    input.hash,
    new Date().toISOString(),
    input.expiresAt,
  ];
}

/**
 * Values for `quotas (scope, subject_id, requests_per_minute, requests_per_day, tokens_per_minute,
 * tokens_per_day, monthly_credits)`.
 */
export function quotaValues(scope: QuotaScope, subjectId: string, l: QuotaLimits): unknown[] {
  return [
    scope,
    subjectId,
    l.requestsPerMinute,
    l.requestsPerDay,
    l.tokensPerMinute,
    l.tokensPerDay,
    l.monthlyCredits,
  ];
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

/** Sums of usage rows (`pg` returns SUM and COUNT as strings). */
export function toUsageTotals(r: any): UsageTotals {
  return {
    requests: num(r.requests),
    promptTokens: num(r.prompt_tokens),
    completionTokens: num(r.completion_tokens),
    credits: num(r.credits),
    energyWh: num(r.energy_wh),
    carbonG: num(r.carbon_g),
  };
}

export function toSession(r: any): StoredSession {
  return {
    idHash: r.id_hash,
    userId: r.user_id ?? null,
    keyId: r.key_id ?? null,
    orgId: r.org_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

export function toPendingSignIn(r: any): PendingSignIn {
  return {
    idHash: r.id_hash,
    state: r.state,
    nonce: r.nonce,
    codeVerifier: r.code_verifier,
    returnTo: r.return_to,
    expiresAt: r.expires_at,
  };
}

/** The sums read by `toUsageTotals` (same SQL in both engines). */
export const USAGE_SUMS = `COUNT(*) AS requests, COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens,
  COALESCE(SUM(completion_tokens), 0) AS completion_tokens, COALESCE(SUM(credits), 0) AS credits,
  COALESCE(SUM(energy_wh), 0) AS energy_wh, COALESCE(SUM(carbon_g), 0) AS carbon_g`;

/** The WHERE clause of a usage filter; `placeholder(n)` writes the n-th parameter (SQLite `?`, PostgreSQL `$n`). */
export function usageWhere(
  f: UsageFilter,
  placeholder: (n: number) => string,
): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    parts.push(sql.replace('?', placeholder(params.length)));
  };
  add('org_id = ?', f.orgId);
  if (f.from) add('at >= ?', f.from);
  if (f.to) add('at < ?', f.to);
  if (f.model) add('model = ?', f.model);
  return { sql: parts.join(' AND '), params };
}

export function toSetupToken(r: any): SetupToken {
  return { hash: r.hash, createdAt: r.created_at, expiresAt: r.expires_at };
}

export const toTrainingQuiz = (r: any): TrainingQuiz => ({
  id: r.id,
  orgId: r.org_id,
  userId: r.user_id,
  courseVersion: r.course_version,
  questionIds: jsonArray(r.question_ids).filter((q): q is string => typeof q === 'string'),
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export const toTrainingCompletion = (r: any): TrainingCompletion => ({
  id: r.id,
  orgId: r.org_id,
  userId: r.user_id,
  courseVersion: r.course_version,
  correct: num(r.correct),
  total: num(r.total),
  score: num(r.score),
  passed: flag(r.passed),
  completedAt: r.completed_at,
});
