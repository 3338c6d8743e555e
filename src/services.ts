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
}
