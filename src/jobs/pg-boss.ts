import PgBoss from 'pg-boss';
import { AppError } from '../shared/errors.js';
import type { MetaRepo } from '../store/spec.js';
import type { Logger } from '../shared/logger.js';
import {
  progressKey,
  readProgress,
  type JobHandler,
  type JobQueue,
  type JobState,
  type JobStatus,
  type ProgressStore,
} from './spec.js';

export interface PgBossQueueOptions {
  url: string;
  /**
   * Progress is written to the shared store, so that any replica can report it; its named lock
   * serialises queue creation across replicas.
   */
  meta: ProgressStore & Pick<MetaRepo, 'exclusive'>;
  logger?: Logger;
  expireSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
  pollSeconds: number;
  maintenanceSeconds: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATES: Record<string, JobState> = {
  created: 'queued',
  retry: 'queued',
  active: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'failed',
};

/**
 * Several replicas on PostgreSQL: jobs are rows of pg-boss (its own `pgboss` schema, installed and
 * migrated by pg-boss under an advisory lock). Any replica working on a queue fetches the next job
 * (SKIP LOCKED). A job whose replica dies stays `active` until `expireSeconds`, then pg-boss's
 * maintenance (any live replica) puts it back for a retry, which another replica picks up.
 */
export class PgBossJobQueue implements JobQueue {
  readonly adapter = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly names = new Set<string>();
  private readonly abort = new AbortController();
  private started: Promise<void> | null = null;

  constructor(private readonly o: PgBossQueueOptions) {
    this.boss = new PgBoss({
      connectionString: o.url,
      max: 3,
      application_name: 'guichet-jobs',
      supervise: true,
      schedule: false,
      maintenanceIntervalSeconds: o.maintenanceSeconds,
    });
    // A lost connection must not crash the process: pg-boss reconnects on its next poll.
    this.boss.on('error', (e) => o.logger?.warn({ err: e }, 'pg-boss'));
  }

  private start(): Promise<void> {
    this.started ??= this.boss.start().then(
      () => undefined,
      (e: Error) => {
        this.started = null;
        throw new AppError('service_unavailable', `File de tâches PostgreSQL indisponible : ${e.message}`, {
          cause: e,
        });
      },
    );
    return this.started;
  }

  private async queue(name: string): Promise<void> {
    await this.start();
    if (this.names.has(name)) return;
    const options = {
      name,
      retryLimit: this.o.retryLimit,
      retryDelay: this.o.retryDelaySeconds,
      expireInSeconds: this.o.expireSeconds,
    };
    // pg-boss's create_queue is not safe when two replicas create the same new queue at once: the
    // second one's INSERT waits for the first's transaction, which then needs a lock on the queue
    // table (foreign key of the new partition) held by the second: PostgreSQL kills one with
    // "deadlock detected". Replicas starting together therefore take turns.
    await this.o.meta.exclusive(`jobs.queue.${name}`, async () => {
      if (!(await this.boss.getQueue(name))) await this.boss.createQueue(name, options);
      await this.boss.updateQueue(name, options); // this replica's settings win
    });
    this.names.add(name);
  }

  async work(name: string, handler: JobHandler): Promise<void> {
    await this.queue(name);
    await this.boss.work<Record<string, unknown>>(
      name,
      { pollingIntervalSeconds: this.o.pollSeconds, batchSize: 1 },
      async ([job]) => {
        this.o.logger?.info({ job: job.id, name }, 'job started');
        return handler(job.data ?? {}, {
          id: job.id,
          signal: this.abort.signal,
          progress: (p) => this.o.meta.set(progressKey(job.id), JSON.stringify(p)),
        });
      },
    );
  }

  async enqueue(name: string, data: Record<string, unknown>): Promise<string> {
    await this.queue(name);
    const id = await this.boss.send(name, data);
    if (!id) throw new AppError('service_unavailable', 'La tâche n’a pas pu être mise en file ; réessayez.');
    return id;
  }

  async get(id: string): Promise<JobStatus | null> {
    if (!UUID.test(id)) return null;
    await this.start();
    for (const name of this.names) {
      const job = await this.boss.getJobById<Record<string, unknown>>(name, id, { includeArchive: true });
      if (!job) continue;
      const state = STATES[job.state] ?? 'queued';
      const output = (job.output ?? null) as Record<string, unknown> | null;
      return {
        id: job.id,
        name,
        state,
        retries: job.retryCount,
        progress: await readProgress(this.o.meta, job.id),
        result: state === 'completed' ? (output?.value ?? output) : null,
        error: state === 'failed' || job.retryCount > 0 ? failureMessage(output) : null,
        createdAt: new Date(job.createdOn).toISOString(),
        startedAt: job.startedOn ? new Date(job.startedOn).toISOString() : null,
        completedAt: job.completedOn ? new Date(job.completedOn).toISOString() : null,
      };
    }
    return null;
  }

  async depth(): Promise<number> {
    await this.start();
    let n = 0;
    for (const name of this.names) n += await this.boss.getQueueSize(name, { before: 'completed' });
    return n;
  }

  async close(): Promise<void> {
    // The job under way stops at its next check and fails: pg-boss retries it on another replica.
    this.abort.abort(
      new AppError('service_unavailable', 'Arrêt du serveur : tâche reprise par une autre instance.'),
    );
    if (this.started)
      await this.boss.stop({ graceful: true, wait: true, timeout: 3000 }).catch(() => undefined);
  }
}

function failureMessage(output: Record<string, unknown> | null): string | null {
  if (!output) return null;
  if (typeof output.message === 'string') return output.message;
  if (typeof output.value === 'string') return output.value;
  return 'La tâche a échoué (instance arrêtée ou délai dépassé) ; elle est reprise si des essais restent.';
}
