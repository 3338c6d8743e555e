import type { Services } from '../services.js';
import { AuditLog } from './audit-log.js';
import { auditedStore } from './audited-store.js';

/**
 * Gives the services their audit log (`services.audit`) and makes every change through
 * `services.store` audited, on every engine. Idempotent; called by the composition roots.
 */
export function withAudit<S extends Services>(services: S): S & { audit: AuditLog } {
  services.audit ??= new AuditLog(services.store);
  services.store = auditedStore(services.store, services.audit);
  return services as S & { audit: AuditLog };
}
