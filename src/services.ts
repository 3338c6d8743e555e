import type { RateLimiter } from './accounts/limiter.js';
import type { SessionResolver } from './accounts/session.js';
import type { Config } from './config/schema.js';
import type { Logger } from './shared/logger.js';
import type { Store } from './store/spec.js';
import type { QueryEmbedder } from './usecases/search-knowledge.js';

/** Everything a route or a command needs, built once by the composition root (main.ts). */
export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
  embedQuery?: QueryEmbedder;
  startedAt: Date;
  /**
   * Quota counters (store or Redis adapter, see accounts/limiter.ts). Absent: the HTTP app builds one
   * from the configuration with `createLimiter` and sets it here (its owner closes it).
   */
  limiter?: RateLimiter;
  /** Browser session → principal (OIDC); absent = API keys only. */
  resolveSession?: SessionResolver;
}
