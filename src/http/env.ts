import type { Principal } from '../accounts/model.js';
import type { Logger } from '../shared/logger.js';

/** What middleware adds to the request context, typed once. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    /** Who is calling; set by the auth middleware on every /v1 route. */
    principal: Principal;
  };
}
