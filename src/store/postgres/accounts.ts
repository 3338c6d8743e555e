import type { AccountsRepo } from '../accounts-spec.js';
import { PostgresCounters, PostgresQuotas } from './accounts-limits.js';
import { PostgresApiKeys, PostgresOrganisations, PostgresUsers } from './accounts-people.js';
import { PostgresUsage } from './accounts-usage.js';
import type { Pool } from './db.js';
import { PostgresServices } from './services.js';
import { PostgresSessions, PostgresSetup } from './sessions.js';

export class PostgresAccounts implements AccountsRepo {
  readonly orgs: PostgresOrganisations;
  readonly users: PostgresUsers;
  readonly services: PostgresServices;
  readonly keys: PostgresApiKeys;
  readonly quotas: PostgresQuotas;
  readonly counters: PostgresCounters;
  readonly usage: PostgresUsage;
  readonly sessions: PostgresSessions;
  readonly setup: PostgresSetup;

  constructor(pool: Pool) {
    this.orgs = new PostgresOrganisations(pool);
    this.users = new PostgresUsers(pool);
    this.services = new PostgresServices(pool);
    this.keys = new PostgresApiKeys(pool);
    this.quotas = new PostgresQuotas(pool);
    this.counters = new PostgresCounters(pool);
    this.usage = new PostgresUsage(pool);
    this.sessions = new PostgresSessions(pool);
    this.setup = new PostgresSetup(pool);
  }
}
