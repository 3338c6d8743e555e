import { z } from 'zod';

/**
 * The `accounts` section of the configuration: default quotas, credits, energy estimate and the
 * rate-limiter adapter. Quota values must be non-negative integers (absent or null = no limit);
 * anything else stops the start with the setting named.
 */
const limit = z
  .number({ error: 'nombre entier positif ou nul attendu' })
  .int({ error: 'nombre entier attendu' })
  .min(0, { error: 'doit être positif ou nul' })
  .nullable()
  .default(null);

export const quotaLimitsSchema = z.strictObject({
  requests_per_minute: limit,
  requests_per_day: limit,
  tokens_per_minute: limit,
  tokens_per_day: limit,
  monthly_credits: limit,
});

const positiveInt = z
  .number()
  .int({ error: 'nombre entier attendu' })
  .positive({ error: 'doit être positif' });

export const accountsSchema = z.strictObject({
  /**
   * Lifetime in seconds of a browser session opened with an API key or by the set-up link
   * (default 7 days: the next morning, the browser is still signed in). OIDC sessions have their own.
   */
  session_ttl_seconds: positiveInt.default(7 * 86_400),
  /** `store`: counters in the Store (one process); `redis`: shared (needs redis_url); `auto`: redis when redis_url is set. */
  limiter: z.enum(['auto', 'store', 'redis']).default('auto'),
  /** Limits applied to every organisation / every key unless set through the admin API. */
  quotas: z
    .strictObject({
      org: quotaLimitsSchema.default(quotaLimitsSchema.parse({})),
      key: quotaLimitsSchema.default(quotaLimitsSchema.parse({})),
    })
    .default({ org: quotaLimitsSchema.parse({}), key: quotaLimitsSchema.parse({}) }),
  /**
   * Model calls (chat, conversation answers, embeddings) running at once per key and per
   * organisation, in each process; one more is refused with 429 and Retry-After. null = no limit.
   */
  max_concurrent: z
    .strictObject({
      key: positiveInt.nullable().default(8),
      org: positiveInt.nullable().default(32),
    })
    .default({ key: 8, org: 32 }),
  credits: z
    .strictObject({ tokens_per_credit: positiveInt.default(1000) })
    .default({ tokens_per_credit: 1000 }),
  /** Energy and carbon estimate, see `accounts/footprint.ts` for the method. */
  energy: z
    .strictObject({
      wh_per_token_per_billion_params: z.number().positive().default(1e-5),
      grid_gco2e_per_kwh: z.number().min(0).default(50),
    })
    .default({ wh_per_token_per_billion_params: 1e-5, grid_gco2e_per_kwh: 50 }),
  /** Per model id: declared size (billions of parameters) and an override of tokens per credit. */
  models: z
    .record(
      z.string().min(1),
      z.strictObject({
        parameters_b: z.number().positive().optional(),
        tokens_per_credit: positiveInt.optional(),
      }),
    )
    .default({}),
});

export type AccountsConfig = z.output<typeof accountsSchema>;
export type QuotaLimitsConfig = z.output<typeof quotaLimitsSchema>;
