import type { RateLimiter } from '../../accounts/limiter.js';
import { StoreRateLimiter } from '../../accounts/store-limiter.js';
import type { Config } from '../../config/schema.js';
import { AppError } from '../../shared/errors.js';
import type { Store } from '../spec.js';
import { RedisRateLimiter } from './limiter.js';

/** Chooses the rate-limiter adapter: Redis when configured (`redis_url`), else counters in the store. */
export function createLimiter(config: Pick<Config, 'accounts' | 'redis_url'>, store: Store): RateLimiter {
  const mode = config.accounts.limiter;
  if (mode === 'redis' && !config.redis_url) {
    throw new AppError(
      'config_invalid',
      'accounts.limiter vaut « redis » mais REDIS_URL (redis_url) n’est pas défini.',
    );
  }
  if (mode === 'redis' || (mode === 'auto' && config.redis_url))
    return new RedisRateLimiter(config.redis_url!);
  return new StoreRateLimiter(store.accounts.counters);
}
