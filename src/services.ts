import type { RateLimiter } from './accounts/limiter.js';
import type { SessionResolver } from './accounts/session.js';
import type { Config } from './config/schema.js';
import type { EgressFetch } from './models/http-client.js';
import type { ModelRouter } from './models/router.js';
import type { AuditLog } from './privacy/audit-log.js';
import type { Logger } from './shared/logger.js';
import type { Store } from './store/spec.js';
import type { JobQueue } from './jobs/spec.js';
import type { PrivacyPolicies } from './privacy/answer-privacy.js';
import type { Retriever } from './usecases/retriever.js';

/** Everything a route or a command needs, built once by the composition root (src/compose.ts). */
export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
  /** Search over the store, with the embedding model seen through each organisation's policy. */
  retriever: Retriever;
  /** The privacy policy of each organisation, resolved in one place. */
  privacy: PrivacyPolicies;
  /** Every chat and embedding model, with aliases and fallback (`guichet`, `extractive`…). */
  router: ModelRouter;
  /** The one HTTP client for upstream traffic (refuses undeclared hosts, counts requests). */
  egress: EgressFetch;
  startedAt: Date;
  /**
   * Quota counters (store or Redis adapter, see accounts/limiter.ts). Absent: the HTTP app builds one
   * from the configuration with `createLimiter` and sets it here (its owner closes it).
   */
  limiter?: RateLimiter;
  /** The hash-chained audit log (`audit.append(event)`); every change through `store` is audited. */
  audit: AuditLog;
  /** Browser session → principal (OIDC); absent = API keys only. */
  resolveSession?: SessionResolver;
  /** Background jobs (pg-boss on PostgreSQL, inline with SQLite); absent: the HTTP app builds one. */
  jobs?: JobQueue;
}
