import type { Logger } from '../shared/logger.js';
import type { PurgeCounts } from '../store/privacy-spec.js';
import type { Store } from '../store/spec.js';
import type { AuditLog } from './audit-log.js';
import type { PrivacyConfig } from './config.js';
import { effectiveRetention } from './retention-settings.js';

/**
 * Retention: deletes what is older than its class's duration (conversations, usage rows, audit
 * entries, uploaded documents) and records the counts — never the content — in the audit log.
 */

export interface PurgeReport {
  counts: PurgeCounts;
  /** Cut-off instant per class (null = kept without limit). */
  cutoffs: Record<'conversations' | 'usage' | 'audit' | 'documents', string | null>;
}
const DAY = 86_400_000;

export async function purgeExpiredData(o: {
  store: Store;
  audit: AuditLog;
  retention: PrivacyConfig['retention'];
  now?: number;
  via?: 'cli' | 'system';
}): Promise<PurgeReport> {
  const now = o.now ?? Date.now();
  const cut = (days: number) => (days > 0 ? new Date(now - days * DAY).toISOString() : null);
  const r = o.retention;
  const cutoffs = {
    conversations: cut(r.conversations_days),
    usage: cut(r.usage_days),
    audit: cut(r.audit_days),
    documents: cut(r.documents_days),
  };
  const counts: PurgeCounts = {
    conversations: 0,
    messages: 0,
    feedback: 0,
    usage: 0,
    audit: 0,
    documents: 0,
  };
  if (cutoffs.conversations)
    Object.assign(counts, await o.store.personalData.purgeConversations(cutoffs.conversations));
  if (cutoffs.usage) counts.usage = await o.store.personalData.purgeUsage(cutoffs.usage);
  if (cutoffs.documents) counts.documents = await purgeDocuments(o.store, cutoffs.documents);
  let anchor: string | null = null;
  if (cutoffs.audit) {
    const { deleted, last } = await o.store.audit.deleteBefore(cutoffs.audit);
    counts.audit = deleted;
    if (last) anchor = `${last.seq}:${last.hash}`;
  }
  await o.audit.append({
    type: 'privacy.purge',
    actor: { via: o.via ?? 'system' },
    data: { counts: { ...counts }, cutoffs, ...(anchor ? { audit_anchor: anchor } : {}) },
  });
  return { counts, cutoffs };
}

/** Documents of the authority's own collections (never the built-in national corpus). */
async function purgeDocuments(store: Store, before: string): Promise<number> {
  let deleted = 0;
  for (const c of await store.collections.list()) {
    if (c.builtin) continue;
    const old: string[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await store.documents.list(c.id, { limit: 500, offset });
      old.push(...page.filter((d) => d.updatedAt < before).map((d) => d.id));
      if (page.length < 500) break;
    }
    for (const id of old) await store.documents.delete(id);
    deleted += old.length;
  }
  return deleted;
}

/** Runs the purge now and then every `hours` (unref'd: never keeps the process alive). Returns a stop function. */
export function schedulePurge(o: {
  store: Store;
  audit: AuditLog;
  retention: PrivacyConfig['retention'];
  hours: number;
  logger: Logger;
}): () => void {
  // The durations in force at each run (changed from the web UI without a restart).
  const run = () =>
    effectiveRetention(o.store, o.retention)
      .then((retention) => purgeExpiredData({ ...o, retention, via: 'system' }))
      .then(
        (r) => o.logger.info({ purged: r.counts }, 'retention purge'),
        (e: unknown) => o.logger.error({ err: (e as Error)?.message }, 'retention purge failed'),
      );
  void run();
  if (!(o.hours > 0)) return () => undefined;
  const timer = setInterval(run, Math.max(60_000, o.hours * 3_600_000));
  timer.unref();
  return () => clearInterval(timer);
}
