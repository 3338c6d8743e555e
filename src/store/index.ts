import { AppError } from '../shared/errors.js';
import type { Store } from './spec.js';
import { openSqliteStore } from './sqlite/index.js';

export interface OpenStoreOptions {
  dataDir: string;
  databaseUrl?: string;
}

/** Chooses the store adapter from the configuration: PostgreSQL when DATABASE_URL is set, else SQLite. */
export async function openStore(o: OpenStoreOptions): Promise<Store> {
  if (o.databaseUrl) {
    throw new AppError('config_invalid', "L'adaptateur PostgreSQL (DATABASE_URL) n'est pas encore disponible.");
  }
  return openSqliteStore(o.dataDir);
}

export type { Store } from './spec.js';
