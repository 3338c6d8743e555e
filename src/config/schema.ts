/**
 * Every setting of Guichet in one zod schema. Values come from an optional YAML file
 * (`guichet.yaml`, or the file named by GUICHET_CONFIG) overlaid with environment variables.
 * Validated once at start; every problem is listed in one error.
 */
import { z } from 'zod';
import { modelAliasSchema, providerSchema } from '../models/config.js';
import { accountsSchema } from '../accounts/config.js';
import { privacySchema } from '../privacy/config.js';
import { oidcSchema } from '../accounts/oidc/config.js';
import { knowledgeSchema } from '../knowledge/config.js';
import { trainingSchema } from '../training/config.js';

export const searchRewriteSchema = z
  .object({
    /** A chat model id, `fournisseur:modèle` or alias of `providers`/`models`. */
    model: z.string().min(1),
    /** Search queries the model may write besides the question. */
    max_queries: z.number().int().min(1).max(5).default(3),
    /** Longer than this, the question is searched alone (no error for the user). */
    timeout_ms: z.number().int().min(100).max(60_000).default(5000),
  })
  .strict();

export const httpRerankerSchema = z
  .object({
    /** A provider of `providers` (type openai-compatible): its origin is already allowed out. */
    provider: z.string().min(1),
    /** The reranker model's name at that provider. */
    model: z.string().min(1),
    /** Request shape: `openai-compatible` (query/documents, Cohere/TEI/vLLM) or `albert` (prompt/input). */
    api: z.enum(['openai-compatible', 'albert']).default('openai-compatible'),
    /** Publications re-ranked (the first ones of the search). */
    top_n: z.number().int().min(2).max(50).default(20),
    /** Longer than this, the search's own order stands (no error for the user). */
    timeout_ms: z.number().int().min(100).max(60_000).default(3000),
  })
  .strict();

export const searchSchema = z
  .object({
    /** Target chunk size in approximate tokens (chosen by measurement, see ARCHITECTURE.md). */
    chunk_tokens: z.number().int().min(50).max(4000).default(350),
    /** Default number of publications returned. */
    default_k: z.number().int().min(1).max(50).default(5),
    /** Reciprocal rank fusion constant. */
    rrf_k: z.number().int().min(1).max(1000).default(20),
    /** Model id (from `models`/`providers`) used for dense embeddings; none = lexical only. */
    embedding_model: z.string().min(1).optional(),
    /**
     * `guichet serve` keeps a copy of the lexical index in memory (about 40 MB for the national
     * corpus): same ranking as the store's own query, ~20× faster. Off: every search asks the store.
     */
    memory_index: z.boolean().default(true),
    /**
     * Query rewriting by a generative model (absent: off, the measured default): the conversation
     * and the question turned into a few search queries, searched with the question and fused.
     */
    rewrite: searchRewriteSchema.optional(),
    /**
     * Re-ranking of the first publications: `lexical` (built in) or a provider's `/v1/rerank`
     * (absent: off, the measured default).
     */
    reranker: z.union([z.literal('lexical'), httpRerankerSchema]).optional(),
  })
  .strict();

/** `answers`: what a generative model may decide about an answer. */
export const answersSchema = z
  .object({
    /**
     * A generative model answering from the sources may judge that they do not answer: it then
     * replies with a marker and the answer is the fixed "no source" sentence (extracts: no effect).
     */
    model_abstention: z.boolean().default(true),
  })
  .strict();

export const serverSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** Largest request body accepted, in bytes (uploads have their own limit). */
    max_body_bytes: z.number().int().min(1024).default(1_000_000),
  })
  .strict();

export const ocrSchema = z
  .object({
    /** Pages read by OCR per document (the rest is cut, with a warning). */
    max_pages: z.number().int().min(1).max(10_000).default(50),
    /** Time allowed for the OCR of one document, in seconds (kept within `parse_timeout_seconds`). */
    max_seconds: z.number().int().min(1).default(180),
    /** OCR workers (absent: cores − 1). */
    workers: z.number().int().min(1).max(64).optional(),
  })
  .strict();

export const documentsSchema = z
  .object({
    /** Largest file accepted by `POST /v1/documents` and `guichet documents add`, in bytes. */
    max_upload_bytes: z
      .number()
      .int()
      .min(1)
      .default(50 * 1024 * 1024),
    /** Worker threads parsing uploaded files (absent: 2 to 4 depending on the processors). */
    parse_workers: z.number().int().min(1).max(64).optional(),
    /** Longest analysis of one file, in seconds; beyond it the file is refused (422). */
    parse_timeout_seconds: z.number().min(0.1).max(3600).default(60),
    /** Heap of one parsing worker, in MB; a file needing more is refused (422). */
    parse_memory_mb: z.number().int().min(64).max(16_384).default(512),
    /** Files of one organisation waiting for a parsing worker; one more gets 429. */
    parse_queue_per_org: z.number().int().min(1).max(1000).default(8),
    /** Reading scans and images (offline Tesseract). */
    ocr: ocrSchema.default(ocrSchema.parse({})),
  })
  .strict();

export const storeSchema = z
  .object({
    /** PostgreSQL URL; absent = embedded SQLite in the data folder. */
    database_url: z.string().url().optional(),
    /** PostgreSQL: most connections each process opens (PGlite over a socket serves one: 1). */
    pool_max: z.number().int().min(1).max(1000).default(10),
    /** PostgreSQL: an idle connection is closed after this many milliseconds. */
    pool_idle_timeout_ms: z.number().int().min(100).default(30_000),
  })
  .strict();

export const metricsSchema = z
  .object({
    /** Serve Prometheus metrics on /metrics (outside /v1: not subject to API keys). */
    enabled: z.boolean().default(false),
    /** Bearer token required on /metrics (prefer `token_env`: secrets stay out of files). */
    token: z.string().min(16).optional(),
    /** Name of the environment variable holding the bearer token. */
    token_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    /** Serve /metrics without a token (only behind a network that only Prometheus reaches). */
    public: z.boolean().default(false),
  })
  .strict()
  .refine((m) => !m.enabled || m.public || m.token !== undefined || m.token_env !== undefined, {
    message: 'metrics.enabled exige metrics.token_env (ou metrics.token), ou metrics.public: true',
  });

export const jobsSchema = z
  .object({
    /** A running job whose replica died is taken over after this delay (pg-boss expiry). */
    expire_seconds: z.number().int().min(1).max(86_399).default(1800),
    /** Attempts after the first one (a replica's death counts as a failed attempt). */
    retry_limit: z.number().int().min(0).max(100).default(3),
    retry_delay_seconds: z.number().int().min(0).default(30),
    /** How often an idle replica looks for queued jobs, and how often expiry is checked. */
    poll_seconds: z.number().min(0.5).default(2),
    maintenance_seconds: z.number().int().min(1).default(60),
  })
  .strict();

export const backupSchema = z
  .object({
    /** Automatic backups in `guichet serve` (one replica at a time on PostgreSQL). */
    schedule: z.enum(['off', 'hourly', 'daily', 'weekly']).default('daily'),
    /** Folder of the backups (default: `sauvegardes/` in the data folder). Prefer another disk. */
    folder: z.string().min(1).optional(),
    /** Automatic backups kept: the newest of each of the last `daily` days and `weekly` weeks. */
    keep: z
      .object({
        daily: z.number().int().min(1).max(366).default(7),
        weekly: z.number().int().min(0).max(520).default(4),
      })
      .strict()
      .default({ daily: 7, weekly: 4 }),
    /** A copy of the database before a new version changes its schema (PostgreSQL: pg_dump). */
    before_migration: z.boolean().default(true),
    /** `guichet doctor` warns when the data folder's disk has less free space than this. */
    min_free_mib: z.number().int().min(0).default(1024),
  })
  .strict();

/** A folder kept in step with a collection by `guichet serve` (polling, so network shares work). */
export const collectionSyncSchema = z
  .object({
    folder: z.string().min(1),
    /** Seconds between two syncs. */
    interval_seconds: z.number().int().min(10).default(300),
  })
  .strict();

export const collectionConfigSchema = z
  .object({
    /** Organisation owning the collection. */
    org: z.string().min(1).default('default'),
    sync: collectionSyncSchema.optional(),
  })
  .strict();

export const configSchema = z
  .object({
    data_dir: z.string().min(1).default('./data'),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    server: serverSchema.default(serverSchema.parse({})),
    store: storeSchema.default(storeSchema.parse({})),
    search: searchSchema.default(searchSchema.parse({})),
    /** What a generative model may decide about an answer (model-judged "no source"). */
    answers: answersSchema.default(answersSchema.parse({})),
    documents: documentsSchema.default(documentsSchema.parse({})),
    /** Model providers (openai-compatible servers, local GGUF files); see README. */
    providers: z.array(providerSchema).default([]),
    /** Model aliases and fallback chains, e.g. `guichet` → [albert:albert-large, guichet:extractive]. */
    models: z.array(modelAliasSchema).default([]),
    /** Redis URL (shared rate-limit counters between replicas); absent = counters in the store. */
    redis_url: z.string().url().optional(),
    accounts: accountsSchema.default(accountsSchema.parse({})),
    /** Pseudonymisation, retention, record of processing; see src/privacy/config.ts. */
    privacy: privacySchema.default(privacySchema.parse({})),
    /** Browser sign-in with ProConnect or another OpenID Connect provider; absent issuer = off. */
    oidc: oidcSchema.default(oidcSchema.parse({})),
    /** Prometheus metrics on /metrics: off by default, token-protected when on. */
    metrics: metricsSchema.default({ enabled: false, public: false }),
    /** Background jobs (corpus refresh): pg-boss on PostgreSQL, in-process with SQLite. */
    jobs: jobsSchema.default(jobsSchema.parse({})),
    /** National corpus refresh from the DILA (sources, schedule, limits) and the age of a stale source. */
    knowledge: knowledgeSchema.default(knowledgeSchema.parse({})),
    /** Backups: schedule, retention, copy before migrations, free-space warning. */
    backup: backupSchema.default(backupSchema.parse({})),
    /** Agents' AI training (AI Act art. 4): the quiz, its pass mark, whether it is required. */
    training: trainingSchema.default(trainingSchema.parse({})),
    /** Per collection (by id): `sync: { folder: /srv/partage/mairie }` keeps it in step with a folder. */
    collections: z.record(z.string(), collectionConfigSchema).default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type DocumentsConfig = z.infer<typeof documentsSchema>;
export type SearchRewriteConfig = z.infer<typeof searchRewriteSchema>;
export type RerankerConfig = NonNullable<z.infer<typeof searchSchema>['reranker']>;
