import type { RateLimiter } from './accounts/limiter.js';
import type { SessionResolver } from './accounts/session.js';
import type { Config } from './config/schema.js';
import type { ServiceJobQueue } from './jobs/index.js';
import type { EgressFetch } from './models/http-client.js';
import type { ModelRouter } from './models/router.js';
import type { PrivacyPolicies } from './privacy/answer-privacy.js';
import type { AuditLog } from './privacy/audit-log.js';
import type { Logger } from './shared/logger.js';
import type { Store } from './store/spec.js';
import type { Retriever } from './usecases/retriever.js';

/**
 * Everything a route or a command needs, built complete and frozen, once, by the composition root
 * (`src/compose.ts`): no member is optional, none is filled in later.
 */
export interface Services {
  readonly config: Config;
  /** The store, audited on every engine: changes through it write their audit entries. */
  readonly store: Store;
  /** The hash-chained audit log (`audit.append(event)`). */
  readonly audit: AuditLog;
  readonly logger: Logger;
  /** Every chat and embedding model, with aliases and fallback (`guichet`, `extractive`…). */
  readonly router: ModelRouter;
  /** The one HTTP client for upstream traffic (refuses undeclared hosts, counts requests). */
  readonly egress: EgressFetch;
  /** Search over the store, with the embedding model seen through each organisation's policy. */
  readonly retriever: Retriever;
  /** The privacy policy of each organisation, resolved in one place. */
  readonly privacy: PrivacyPolicies;
  /** Quota counters (store or Redis adapter, see accounts/limiter.ts; Redis connects on first use). */
  readonly limiter: RateLimiter;
  /** Browser session → principal (OIDC; answers "no session" when sign-in is not configured). */
  readonly resolveSession: SessionResolver;
  /** Background jobs (pg-boss on PostgreSQL, inline with SQLite); started on first use. */
  readonly jobs: ServiceJobQueue;
  readonly startedAt: Date;
  /** Closes everything in order (jobs, limiter, models, store: buffered usage rows are written). */
  close(): Promise<void>;
}
