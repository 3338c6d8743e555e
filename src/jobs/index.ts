import type { Config } from '../config/schema.js';
import type { Services } from '../services.js';
import { workIngestJobs } from './ingest-job.js';
import { workRefreshJobs } from './refresh-job.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../store/spec.js';
import { InlineJobQueue } from './inline.js';
import { PgBossJobQueue } from './pg-boss.js';
import type { JobQueue } from './spec.js';

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

/** The queue of these services, built and working on first use (serve calls it at start). */
const starting = new WeakMap<Services, Promise<JobQueue>>();

export function jobQueue(services: Services): Promise<JobQueue> {
  if (services.jobs) return Promise.resolve(services.jobs);
  let p = starting.get(services);
  if (!p) {
    const queue = createJobQueue(services.config, services.store, services.logger);
    p = workIngestJobs(queue, {
      store: services.store,
      chunkTokens: services.config.search.chunk_tokens,
      onWarning: (m) => services.logger.warn(m),
    })
      .then(() =>
        workRefreshJobs(queue, {
          store: services.store,
          egress: services.egress,
          config: services.config.knowledge.service_public,
          dataDir: services.config.data_dir,
          chunkTokens: services.config.search.chunk_tokens,
          logger: services.logger,
        }),
      )
      .then(() => (services.jobs = queue));
    p.catch(() => starting.delete(services));
    starting.set(services, p);
  }
  return p;
}

export type { JobQueue, JobStatus } from './spec.js';
