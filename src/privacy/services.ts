import type { Services } from '../services.js';
import { AuditLog } from './audit-log.js';
import { auditedStore } from './audited-store.js';

/**
 * Gives the services their audit log (`services.audit`) and makes every change through
 * `services.store` audited. Idempotent; called by the composition roots (CLI context, HTTP app).
 */
export function withAudit<S extends Services>(services: S): S & { audit: AuditLog } {
  services.audit ??= new AuditLog(services.store);
  // The PostgreSQL adapter has no audit tables yet: its writes must not fail because of the audit.
  if (auditAvailable(services)) services.store = auditedStore(services.store, services.audit);
  return services as S & { audit: AuditLog };
}

/** False while the store adapter has no audit log (PostgreSQL for now). */
export function auditAvailable(services: Pick<Services, 'store'>): boolean {
  return services.store.info.adapter === 'sqlite';
}
