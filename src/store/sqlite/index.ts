import { SqliteAiTools } from './ai-tools.js';
import type { MetaRepo, Store, StoreInfo } from '../spec.js';
import { SqliteAccounts } from './accounts.js';
import { SqliteAudit } from './audit.js';
import { SqliteConversations } from './conversations.js';
import { SqlitePersonalData } from './personal-data.js';
import { SqliteCollections } from './collections.js';
import { SqliteDocuments } from './documents.js';
import { openDatabase, schemaVersion, type Db } from './open.js';
import { SqliteSearch } from './search.js';
import { SqliteTraining } from './training.js';
import { LocalLocks } from '../local-locks.js';

class SqliteMeta implements MetaRepo {
  private readonly locks = new LocalLocks();
  constructor(private readonly db: Db) {}

  /** One process writes a SQLite file at a time: a lock per name within the process is enough. */
  exclusive<T>(name: string, fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    return this.locks.run(name, fn, onWait);
  }

  async get(key: string): Promise<string | null> {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return r ? r.value : null;
  }
  async set(key: string, value: string): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }
}

export class SqliteStore implements Store {
  readonly info: StoreInfo;
  readonly collections: SqliteCollections;
  readonly documents: SqliteDocuments;
  readonly search: SqliteSearch;
  readonly meta: SqliteMeta;
  readonly accounts: SqliteAccounts;
  readonly audit: SqliteAudit;
  readonly conversations: SqliteConversations;
  readonly personalData: SqlitePersonalData;
  readonly aiTools: SqliteAiTools;
  readonly training: SqliteTraining;

  constructor(
    readonly db: Db,
    file: string,
    vectors: boolean,
  ) {
    this.info = { adapter: 'sqlite', location: file, vectors, schemaVersion: schemaVersion(db) };
    this.collections = new SqliteCollections(db);
    this.documents = new SqliteDocuments(db);
    this.search = new SqliteSearch(db, vectors);
    this.meta = new SqliteMeta(db);
    this.accounts = new SqliteAccounts(db);
    this.audit = new SqliteAudit(db);
    this.conversations = new SqliteConversations(db);
    this.personalData = new SqlitePersonalData(db, () => this.accounts.usage.flush());
    this.aiTools = new SqliteAiTools(db);
    this.training = new SqliteTraining(db);
  }

  async close(): Promise<void> {
    this.accounts.usage.flush();
    this.search.close();
    if (this.db.open) this.db.close();
  }
}

export function openSqliteStore(dataDir: string): SqliteStore {
  const { db, file, vectors } = openDatabase(dataDir);
  return new SqliteStore(db, file, vectors);
}
