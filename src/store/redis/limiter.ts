import { Redis } from 'ioredis';
import type { LimitCheck, LimitResult, RateLimiter } from '../../accounts/limiter.js';
import { AppError } from '../../shared/errors.js';

/**
 * Redis adapter of the RateLimiter (several replicas share the counters). One Lua script reads
 * every counter, refuses without writing when one has no room (same rule as `fits()`), else adds
 * each cost and sets the key to expire with its window: Redis runs scripts atomically.
 * ARGV per check: limit (-1 = none), cost, expiry (epoch ms).
 */
const SCRIPT = `
local used = {}
for i = 1, #KEYS do
  used[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
end
for i = 1, #KEYS do
  local limit = tonumber(ARGV[(i - 1) * 3 + 1])
  local cost = tonumber(ARGV[(i - 1) * 3 + 2])
  if limit >= 0 and (used[i] >= limit or used[i] + cost > limit) then
    return { 0, i, unpack(used) }
  end
end
for i = 1, #KEYS do
  local cost = tonumber(ARGV[(i - 1) * 3 + 2])
  if cost > 0 then
    used[i] = redis.call('INCRBY', KEYS[i], cost)
    redis.call('PEXPIREAT', KEYS[i], ARGV[(i - 1) * 3 + 3])
  end
end
return { 1, 0, unpack(used) }
`;

type Consume = (numKeys: number, ...args: (string | number)[]) => Promise<number[]>;

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly namespace = 'guichet:rl:',
  ) {
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    this.redis.defineCommand('guichetConsume', { lua: SCRIPT });
    this.redis.on('error', () => {}); // reported per call below
  }

  async consume(checks: LimitCheck[], _now: number): Promise<LimitResult> {
    if (checks.length === 0) return { allowed: true, used: [], denied: -1 };
    const args: (string | number)[] = checks.map((c) => this.namespace + c.key);
    for (const c of checks) args.push(c.limit ?? -1, c.cost, c.resetAt);
    let reply: number[];
    try {
      reply = await ((this.redis as any).guichetConsume as Consume)(checks.length, ...args);
    } catch (e) {
      throw new AppError(
        'service_unavailable',
        'Le service de limitation de débit (Redis) est injoignable.',
        { cause: e },
      );
    }
    const [ok, index, ...rest] = reply.map(Number);
    const used = checks.map((_, i) => rest[i] ?? 0);
    return ok === 1 ? { allowed: true, used, denied: -1 } : { allowed: false, used, denied: index - 1 };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
