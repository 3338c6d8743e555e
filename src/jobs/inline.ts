import { randomUUID } from 'node:crypto';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { JobHandler, JobQueue, JobStatus } from './spec.js';

/**
 * One process (SQLite): a job runs in this process in the background, one at a time; its status
 * lives in memory (a restart forgets finished jobs — the work they did is in the store).
 */
export class InlineJobQueue implements JobQueue {
  readonly adapter = 'inline' as const;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly jobs = new Map<string, JobStatus>();
  private chain: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();

  constructor(private readonly logger?: Logger) {}

  async work(name: string, handler: JobHandler): Promise<void> {
    this.handlers.set(name, handler);
  }

  async enqueue(name: string, data: Record<string, unknown>): Promise<string> {
    const handler = this.handlers.get(name);
    if (!handler) throw new AppError('invalid_request', `Type de tâche inconnu : ${name}`);
    const id = randomUUID();
    const status: JobStatus = {
      id,
      name,
      state: 'queued',
      retries: 0,
      progress: null,
      result: null,
      error: null,
      createdAt: new Date().toISOString(),
      startedAt: null,
      completedAt: null,
    };
    this.jobs.set(id, status);
    this.chain = this.chain.then(() => this.run(status, handler, data));
    return id;
  }

  private async run(status: JobStatus, handler: JobHandler, data: Record<string, unknown>): Promise<void> {
    if (this.abort.signal.aborted) return;
    status.state = 'running';
    status.startedAt = new Date().toISOString();
    try {
      status.result = await handler(data, {
        id: status.id,
        signal: this.abort.signal,
        progress: async (p) => void (status.progress = p),
      });
      status.state = 'completed';
    } catch (e) {
      status.state = 'failed';
      status.error = (e as Error).message;
      this.logger?.warn({ job: status.id, err: e }, 'job failed');
    }
    status.completedAt = new Date().toISOString();
  }

  async get(id: string): Promise<JobStatus | null> {
    const s = this.jobs.get(id);
    return s ? structuredClone(s) : null;
  }

  async depth(): Promise<number> {
    return [...this.jobs.values()].filter((j) => j.state === 'queued' || j.state === 'running').length;
  }

  async close(): Promise<void> {
    this.abort.abort(new AppError('service_unavailable', 'Arrêt du serveur : tâche interrompue.'));
  }
}
