import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import type { Store } from '../store/spec.js';
import type { AuditLog } from './audit-log.js';
import type { PrivacyConfig } from './config.js';

export type Retention = PrivacyConfig['retention'];

/** Where the durations changed from the web UI are kept (instance-wide, like the configuration). */
const META_KEY = 'privacy.retention';
const FIELDS = ['conversations_days', 'usage_days', 'audit_days', 'documents_days'] as const;

const Days = z.number().int().min(0).max(3650);
export const RetentionPatch = z
  .object(
    Object.fromEntries(FIELDS.map((f) => [f, Days.optional()])) as Record<
      (typeof FIELDS)[number],
      z.ZodOptional<typeof Days>
    >,
  )
  .strict();

/**
 * The retention in force: the durations stored from the web UI (`PUT /v1/admin/retention`) over
 * those of the configuration (`privacy.retention`). The purge reads it at each run.
 */
export async function effectiveRetention(
  store: Store,
  configured: Retention,
): Promise<Retention & { source: 'configuration' | 'stored' }> {
  const raw = await store.meta.get(META_KEY).catch(() => null);
  if (!raw) return { ...configured, source: 'configuration' };
  let stored: Partial<Retention>;
  try {
    stored = RetentionPatch.parse(JSON.parse(raw));
  } catch {
    return { ...configured, source: 'configuration' }; // unreadable: the configuration applies
  }
  return { ...configured, ...stored, source: 'stored' };
}

/** Changes some durations (whole days, 0 = no automatic purge); the change is audited. */
export async function setRetention(
  store: Store,
  audit: AuditLog,
  configured: Retention,
  patch: unknown,
): Promise<Retention & { source: 'stored' }> {
  const parsed = RetentionPatch.safeParse(patch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      'invalid_request',
      `Durée invalide (${issue?.path.join('.') || 'corps'}) : un nombre entier de jours entre 0 et 3650 est attendu.`,
      { param: issue?.path.join('.') || null },
    );
  }
  const before = await effectiveRetention(store, configured);
  const { source: _source, ...current } = before;
  const next: Retention = { ...current, ...parsed.data };
  await store.meta.set(META_KEY, JSON.stringify(next));
  await audit.append({
    type: 'privacy.retention_changed',
    data: {
      before: Object.fromEntries(FIELDS.map((f) => [f, current[f]])),
      after: Object.fromEntries(FIELDS.map((f) => [f, next[f]])),
    },
  });
  return { ...next, source: 'stored' };
}
