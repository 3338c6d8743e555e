import { AppError } from '../../shared/errors.js';

/**
 * The privacy repositories (audit log, conversations, personal data) are not yet implemented on
 * PostgreSQL: every call fails with a French error instead of pretending.
 */
export function pendingPrivacy<T>(): T {
  const fail = (): never => {
    throw new AppError(
      'service_unavailable',
      "Le journal d'audit, les conversations et les droits des personnes ne sont pas encore disponibles avec PostgreSQL : utilisez SQLite pour l'instant.",
    );
  };
  return new Proxy({}, { get: () => async () => fail() }) as T;
}
