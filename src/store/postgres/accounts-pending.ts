import { AppError } from '../../shared/errors.js';
import type { AccountsRepo } from '../accounts-spec.js';

/**
 * The accounts repositories are not yet implemented on PostgreSQL: every call fails loudly with a
 * French error instead of pretending (the accounts work adds its tables as the next migrations).
 */
export function pendingAccounts(): AccountsRepo {
  const fail = (): never => {
    throw new AppError(
      'service_unavailable',
      "Les comptes (organisations, utilisateurs, clés, quotas) ne sont pas encore disponibles avec PostgreSQL : utilisez SQLite pour l'instant.",
    );
  };
  const repo = new Proxy({}, { get: () => async () => fail() });
  return {
    orgs: repo,
    users: repo,
    keys: repo,
    quotas: repo,
    counters: repo,
    usage: repo,
    sessions: repo,
  } as unknown as AccountsRepo;
}
