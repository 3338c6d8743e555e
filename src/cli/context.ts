import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../shared/logger.js';
import { openStore } from '../store/index.js';
import { buildModels } from '../answer/models.js';
import { sessionResolver } from '../accounts/oidc/sessions.js';
import type { Services } from '../services.js';
import { withAudit } from '../privacy/services.js';
import { configureOcr } from '../knowledge/sources/files/ocr.js';

/** Builds the services a command needs from the configuration (the CLI's composition root). */
export async function openServices(overrides?: Record<string, unknown>): Promise<Services> {
  const config: Config = loadConfig({ overrides });
  const logger = createLogger(config.log_level);
  configureOcr(config.documents.ocr);
  const models = buildModels(config);
  const store = await openStore({
    dataDir: config.data_dir,
    databaseUrl: config.store.database_url,
    postgres: { maxConnections: config.store.pool_max, idleTimeoutMs: config.store.pool_idle_timeout_ms },
  });
  return withAudit({
    config,
    store,
    logger,
    router: models.router,
    egress: models.egress,
    embedQuery: models.embedQuery,
    startedAt: new Date(),
    resolveSession: sessionResolver(store),
  });
}

/** Runs a command body with services, closing the store afterwards whatever happens. */
export async function withServices<T>(fn: (s: Services) => Promise<T>): Promise<T> {
  const services = await openServices();
  try {
    return await fn(services);
  } finally {
    await services.router.close();
    await services.store.close();
  }
}
