import type { Store } from '../store/spec.js';
import type { AccountsConfig } from './config.js';
import type { RateLimiter } from './limiter.js';

/** What the accounts use cases need, built once by the composition root. */
export interface AccountsDeps {
  store: Store;
  limiter: RateLimiter;
  config: AccountsConfig;
}
