import type { MiddlewareHandler } from 'hono';
import { runAsActor } from '../../privacy/audit-context.js';
import type { AppEnv } from '../env.js';

/** Runs the rest of a /v1 request as its principal, so that audited changes name their actor. */
export function auditActor(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    return runAsActor(
      {
        userId: p?.userId ?? null,
        keyId: p?.keyId ?? null,
        orgId: p?.orgId ?? null,
        via: p?.via ?? 'system',
        requestId: c.get('requestId'),
      },
      () => next(),
    );
  };
}
