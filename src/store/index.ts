import type { Store } from './spec.js';
import { openPostgresStore, type PostgresStoreOptions } from './postgres/index.js';
import { openSqliteStore } from './sqlite/index.js';

export interface OpenStoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL pool limits and warnings sink (ignored by SQLite). */
  postgres?: Omit<PostgresStoreOptions, 'url'>;
}

/** Chooses the store adapter from the configuration: PostgreSQL when DATABASE_URL is set, else SQLite. */
export async function openStore(o: OpenStoreOptions): Promise<Store> {
  if (o.databaseUrl) {
    return openPostgresStore({ url: o.databaseUrl, ...o.postgres });
  }
  return openSqliteStore(o.dataDir);
}

export type { Store } from './spec.js';
