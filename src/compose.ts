/**
 * The composition root: configuration → store (audited, on every engine) → models → retriever →
 * privacy policies → services. `serve`, every CLI command and the tests' helpers build their
 * services here, and nowhere else; the result is complete and frozen.
 */
import type { RateLimiter } from './accounts/limiter.js';
import { sessionResolver } from './accounts/oidc/sessions.js';
import { buildModels } from './answer/models.js';
import { loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { serviceJobQueue } from './jobs/index.js';
import type { EgressFetch } from './models/http-client.js';
import { AuditLog } from './privacy/audit-log.js';
import { auditedStore } from './privacy/audited-store.js';
import { privacyPolicies } from './privacy/answer-privacy.js';
import type { Services } from './services.js';
import { createLogger } from './shared/logger.js';
import { openStore } from './store/index.js';
import { createLimiter } from './store/redis/create-limiter.js';
import type { Store } from './store/spec.js';
import {
  createEmbedder,
  createQueryRewriter,
  createReranker,
  createRetriever,
} from './usecases/retriever.js';
import { preMigrationBackup } from './usecases/backup-store.js';
import { configureOcr } from './knowledge/sources/files/ocr.js';

export interface ComposeOptions {
  config: Config;
  /** The store as opened (the composition wraps it with the audit). */
  store: Store;
  /** Environment for the providers' API keys (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Tests only: another limiter (a Redis namespace of their own). */
  limiter?: RateLimiter;
  /** Tests only: another egress client (an OIDC issuer on loopback). */
  egress?: EgressFetch;
}

/** Builds the complete, frozen services over an opened store. */
export function composeServices(o: ComposeOptions): Services {
  const { config } = o;
  const logger = createLogger(config.log_level);
  const audit = new AuditLog(o.store);
  const store = auditedStore(o.store, audit);
  const models = buildModels(config, o.env ?? process.env);
  const embedder = createEmbedder(models.router, config.search.embedding_model);
  const retriever = createRetriever({
    store,
    embedder,
    rrfK: config.search.rrf_k,
    rewriter: createQueryRewriter(models.router, config.search.rewrite),
    reranker: createReranker(config.search.reranker, { store, providers: models.providers }),
    logger,
  });
  const limiter = o.limiter ?? createLimiter(config, store);
  const egress = o.egress ?? models.egress;
  const jobs = serviceJobQueue(config, store, logger, egress);
  const close = async (): Promise<void> => {
    // Each part is closed even if another failed; the store last (it writes buffered usage rows).
    for (const step of [
      () => jobs.close(),
      () => limiter.close?.(),
      () => models.router.close(),
      () => store.close(),
    ]) {
      try {
        await step();
      } catch (err) {
        logger.error({ err }, 'shutdown step failed');
      }
    }
  };
  return Object.freeze({
    config,
    store,
    audit,
    logger,
    router: models.router,
    egress,
    retriever,
    privacy: privacyPolicies(store, config),
    limiter,
    resolveSession: sessionResolver(store),
    jobs,
    startedAt: new Date(),
    close,
  });
}

/** Loads the configuration, opens its store and builds the services (the CLI's and serve's entry). */
export async function openServices(overrides?: Record<string, unknown>): Promise<Services> {
  const config: Config = loadConfig({ overrides });
  // OCR limits of this process (parsing workers read the defaults: see ARCHITECTURE, known gaps).
  configureOcr(config.documents.ocr);
  const store = await openStore({
    dataDir: config.data_dir,
    databaseUrl: config.store.database_url,
    postgres: {
      maxConnections: config.store.pool_max,
      idleTimeoutMs: config.store.pool_idle_timeout_ms,
      beforeMigrate: preMigrationBackup(config),
    },
  });
  return composeServices({ config, store });
}
