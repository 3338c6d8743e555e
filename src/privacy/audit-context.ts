import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is acting, carried through a request or a command so that audited writes know their actor. */
export interface AuditActor {
  userId?: string | null;
  keyId?: string | null;
  orgId?: string | null;
  via?: 'key' | 'session' | 'cli' | 'system';
  requestId?: string;
}

const storage = new AsyncLocalStorage<AuditActor>();

export function runAsActor<T>(actor: AuditActor, fn: () => T): T {
  return storage.run(actor, fn);
}

export function currentActor(): AuditActor | undefined {
  return storage.getStore();
}
