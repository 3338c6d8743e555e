/**
 * The `JobQueue` spec: long work (the corpus refresh, large uploads) run outside the request that
 * asked for it. Adapters: `inline.ts` (one process, SQLite: the job runs in this process, in the
 * background) and `pg-boss.ts` (PostgreSQL: any replica picks a job up; a job whose replica died
 * is taken over after its expiry). Handlers must be idempotent: a job may run more than once.
 */
export type JobState = 'queued' | 'running' | 'completed' | 'failed';

export interface JobProgress {
  done: number;
  total: number;
}

export interface JobStatus {
  id: string;
  name: string;
  state: JobState;
  /** Attempts already failed (a replica's death counts as one). */
  retries: number;
  progress: JobProgress | null;
  /** The handler's result once completed. */
  result: unknown;
  /** French message of the last failure. */
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface JobContext {
  id: string;
  /** Records progress where every replica can read it (throttled by the caller). */
  progress(p: JobProgress): Promise<void>;
  signal: AbortSignal;
}

export type JobHandler = (data: Record<string, unknown>, ctx: JobContext) => Promise<unknown>;

export interface JobQueue {
  readonly adapter: 'inline' | 'pg-boss';
  /** Declares a kind of job and starts working on it in this process. */
  work(name: string, handler: JobHandler): Promise<void>;
  /** Queues a job; returns its id at once. */
  enqueue(name: string, data: Record<string, unknown>): Promise<string>;
  /** Null when unknown (or a malformed id). */
  get(id: string): Promise<JobStatus | null>;
  /** Jobs queued or running, for the metrics. */
  depth(): Promise<number>;
  close(): Promise<void>;
}

/** Where progress is kept (the Store's meta table, shared by replicas on PostgreSQL). */
export interface ProgressStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

export const progressKey = (id: string) => `jobs.progress.${id}`;

export async function readProgress(meta: ProgressStore, id: string): Promise<JobProgress | null> {
  const raw = await meta.get(progressKey(id));
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<JobProgress>;
    return typeof v.done === 'number' && typeof v.total === 'number'
      ? { done: v.done, total: v.total }
      : null;
  } catch {
    return null;
  }
}
