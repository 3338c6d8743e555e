import type { Logger } from '../shared/logger.js';

/** What middleware adds to the request context, typed once. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
  };
}
