import type { AccountsRepo } from '../accounts-spec.js';
import { SqliteApiKeys } from './accounts-keys.js';
import { SqliteCounters, SqliteQuotas } from './accounts-limits.js';
import { SqliteOrganisations, SqliteUsers } from './accounts-people.js';
import { SqliteUsage } from './accounts-usage.js';
import type { Db } from './open.js';
import { SqliteServices } from './services.js';
import { SqliteSessions, SqliteSetup } from './sessions.js';

export class SqliteAccounts implements AccountsRepo {
  readonly orgs: SqliteOrganisations;
  readonly users: SqliteUsers;
  readonly services: SqliteServices;
  readonly keys: SqliteApiKeys;
  readonly quotas: SqliteQuotas;
  readonly counters: SqliteCounters;
  readonly usage: SqliteUsage;
  readonly sessions: SqliteSessions;
  readonly setup: SqliteSetup;

  constructor(db: Db) {
    this.orgs = new SqliteOrganisations(db);
    this.users = new SqliteUsers(db);
    this.services = new SqliteServices(db);
    this.keys = new SqliteApiKeys(db);
    this.quotas = new SqliteQuotas(db);
    this.counters = new SqliteCounters(db);
    this.usage = new SqliteUsage(db);
    this.sessions = new SqliteSessions(db);
    this.setup = new SqliteSetup(db);
  }
}
