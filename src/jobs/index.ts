import type { Config } from '../config/schema.js';
import type { Services } from '../services.js';
import { workIngestJobs } from './ingest-job.js';
import { workRefreshJobs } from './refresh-job.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../store/spec.js';
import { InlineJobQueue } from './inline.js';
import { PgBossJobQueue } from './pg-boss.js';
import type { JobQueue } from './spec.js';
import type { EgressFetch } from '../models/http-client.js';

/** PostgreSQL (DATABASE_URL): pg-boss, shared by replicas; SQLite: one process, jobs run inline. */
export function createJobQueue(
  config: Pick<Config, 'store' | 'jobs'>,
  store: Store,
  logger?: Logger,
): JobQueue {
  const url = config.store.database_url;
  if (!url) return new InlineJobQueue(logger);
  return new PgBossJobQueue({
    url,
    meta: store.meta,
    logger,
    expireSeconds: config.jobs.expire_seconds,
    retryLimit: config.jobs.retry_limit,
    retryDelaySeconds: config.jobs.retry_delay_seconds,
    pollSeconds: config.jobs.poll_seconds,
    maintenanceSeconds: config.jobs.maintenance_seconds,
  });
}

/** The queue of a process: ingestion workers registered once, on first enqueue or at `start()`. */
export interface ServiceJobQueue extends JobQueue {
  /** Registers the workers (serve calls it at start, to work on queued jobs of every replica). */
  start(): Promise<void>;
}

/** Built once by the composition root; nothing connects before the first use. */
export function serviceJobQueue(
  config: Config,
  store: Store,
  logger: Logger,
  egress: EgressFetch,
): ServiceJobQueue {
  const queue = createJobQueue(config, store, logger);
  let working: Promise<void> | null = null;
  const start = (): Promise<void> =>
    (working ??= workIngestJobs(queue, {
      store,
      chunkTokens: config.search.chunk_tokens,
      onWarning: (m) => logger.warn(m),
    })
      .then(() =>
        workRefreshJobs(queue, {
          store,
          egress,
          config: config.knowledge.service_public,
          dataDir: config.data_dir,
          chunkTokens: config.search.chunk_tokens,
          logger,
        }),
      )
      .catch((e: unknown) => {
        working = null;
        throw e;
      }));
  return {
    adapter: queue.adapter,
    start,
    work: (name, handler) => queue.work(name, handler),
    enqueue: async (name, data) => {
      await start();
      return queue.enqueue(name, data);
    },
    get: (id) => queue.get(id),
    depth: () => queue.depth(),
    close: () => queue.close(),
  };
}

/** The services' queue, its workers registered. */
export async function jobQueue(services: Pick<Services, 'jobs'>): Promise<JobQueue> {
  await services.jobs.start();
  return services.jobs;
}

export type { JobQueue, JobStatus } from './spec.js';
