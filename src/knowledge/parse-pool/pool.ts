/**
 * Untrusted files are parsed in a small pool of worker threads (piscina), never on the event loop:
 * a hostile file (deep nesting, a page tree listing one page 20,000 times, a huge document) costs
 * one worker, for at most `timeoutMs`, within `memoryMb` of heap; `/health` and searches go on.
 *
 * In front of the pool, a fair queue: tasks are started round-robin between organisations, an
 * organisation runs at most `perOrgRunning` tasks at once (with two workers, one is always left for
 * the others) and queues at most `perOrgQueued` (beyond: 429 with Retry-After). A task is cancelled
 * when its signal aborts (the client went away, the upload was deleted): removed from the queue,
 * or its worker terminated.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { AppError } from '../../shared/errors.js';
import type { PrepareTask, Prepared } from './prepare.js';
import type { OcrSettings } from '../sources/files/ocr.js';
import type { WorkerAnswer } from './worker.js';

export interface ParsePoolOptions {
  /** Worker threads (each parses one file at a time). */
  workers: number;
  /** Longest time one file may take once started, in milliseconds. */
  timeoutMs: number;
  /** Heap limit of a worker (old generation), in MB: beyond it the worker dies, the file is refused. */
  memoryMb: number;
  /** Files of one organisation parsed at the same time. */
  perOrgRunning: number;
  /** Files of one organisation waiting for a worker; one more is refused with 429. */
  perOrgQueued: number;
  /** `documents.ocr`, applied in each worker (a worker has its own copy of the module state). */
  ocr?: OcrSettings;
}

export function defaultParsePoolOptions(): ParsePoolOptions {
  const workers = Math.max(2, Math.min(4, availableParallelism() - 1));
  return { workers, timeoutMs: 60_000, memoryMb: 512, perOrgRunning: workers - 1, perOrgQueued: 8 };
}

interface Job {
  orgId: string;
  task: PrepareTask;
  signal?: AbortSignal;
  resolve(value: Prepared): void;
  reject(error: unknown): void;
  onAbort?: () => void;
}

export class ParsePool {
  readonly options: ParsePoolOptions;
  #piscina: Piscina<PrepareTask, WorkerAnswer> | null = null;
  /** Waiting jobs by organisation; the map's order is the round-robin order. */
  readonly #queues = new Map<string, Job[]>();
  readonly #running = new Map<string, number>();
  #active = 0;
  #closed = false;
  #warm = false;

  constructor(options: Partial<ParsePoolOptions> = {}) {
    const d = defaultParsePoolOptions();
    const workers = options.workers ?? d.workers;
    this.options = {
      ...d,
      perOrgRunning: Math.max(1, workers - 1),
      ...options,
      workers,
    };
  }

  /** Parses and chunks one file of `orgId` in a worker; rejects with an `AppError` (4xx) when refused. */
  run(orgId: string, task: PrepareTask, signal?: AbortSignal): Promise<Prepared> {
    if (this.#closed) return Promise.reject(new AppError('service_unavailable', 'Le serveur s’arrête.'));
    if (signal?.aborted) return Promise.reject(cancelled(task.fileName));
    const queue = this.#queues.get(orgId) ?? [];
    if (queue.length >= this.options.perOrgQueued) {
      return Promise.reject(
        new AppError(
          'rate_limit_exceeded',
          `Trop de fichiers de votre organisation sont en cours d’analyse (${queue.length} en attente) : réessayez dans quelques secondes.`,
          { headers: { 'Retry-After': '5' }, param: 'file' },
        ),
      );
    }
    return new Promise<Prepared>((resolve, reject) => {
      const job: Job = { orgId, task, signal, resolve, reject };
      if (signal) {
        job.onAbort = () => {
          const q = this.#queues.get(orgId);
          const at = q?.indexOf(job) ?? -1;
          if (q && at >= 0) {
            q.splice(at, 1);
            if (!q.length) this.#queues.delete(orgId);
            reject(cancelled(task.fileName));
          }
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      queue.push(job);
      this.#queues.set(orgId, queue);
      this.#dispatch();
    });
  }

  /**
   * Starts every worker and loads the parsers in it (a tiny Markdown file each), so that the first
   * uploads pay no start-up (`guichet serve` calls it at start; starting a worker thread also costs
   * the event loop a little). Workers then stay up (`minThreads`).
   */
  async warm(): Promise<void> {
    this.#warm = true;
    const pool = this.#pool();
    const tiny = (i: number): PrepareTask => ({
      bytes: new TextEncoder().encode(`# Préchauffage ${i}\n\nTexte.\n`),
      fileName: `prechauffage-${i}.md`,
      externalId: `prechauffage-${i}.md`,
      maxBytes: 1024,
      chunkTokens: 200,
      collectionId: 'prechauffage',
      collectionName: 'Préchauffage',
      hash: '',
      userMetadata: {},
    });
    await Promise.all(Array.from({ length: this.options.workers }, (_, i) => pool.run(tiny(i))));
  }

  /** Jobs waiting and running, for tests and metrics. */
  get load(): { queued: number; running: number } {
    let queued = 0;
    for (const q of this.#queues.values()) queued += q.length;
    return { queued, running: this.#active };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const q of this.#queues.values())
      for (const job of q) job.reject(new AppError('service_unavailable', 'Le serveur s’arrête.'));
    this.#queues.clear();
    const p = this.#piscina;
    this.#piscina = null;
    await p?.destroy();
  }

  #dispatch(): void {
    while (this.#active < this.options.workers) {
      const job = this.#next();
      if (!job) return;
      void this.#start(job);
    }
  }

  /** The first waiting job, in round-robin order, of an organisation under its running share. */
  #next(): Job | undefined {
    for (const [orgId, queue] of this.#queues) {
      if ((this.#running.get(orgId) ?? 0) >= this.options.perOrgRunning) continue;
      const job = queue.shift()!;
      // The organisation goes to the back of the round.
      this.#queues.delete(orgId);
      if (queue.length) this.#queues.set(orgId, queue);
      return job;
    }
    return undefined;
  }

  async #start(job: Job): Promise<void> {
    const { orgId, task, signal } = job;
    if (job.onAbort) signal?.removeEventListener('abort', job.onAbort);
    this.#active++;
    this.#running.set(orgId, (this.#running.get(orgId) ?? 0) + 1);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      // The bytes are moved to the worker, not copied, when they own their memory.
      const b = task.bytes;
      const movable =
        b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
      const answer = await this.#pool().run(task, {
        signal: abort,
        ...(movable ? { transferList: [b.buffer as ArrayBuffer] } : {}),
      });
      if (answer.ok) job.resolve(answer.value);
      else
        job.reject(new AppError(answer.code, answer.message, { param: answer.param, cause: answer.detail }));
    } catch (e) {
      job.reject(this.#failure(e, task.fileName, timeout.aborted, signal?.aborted ?? false));
    } finally {
      this.#active--;
      const n = (this.#running.get(orgId) ?? 1) - 1;
      if (n) this.#running.set(orgId, n);
      else this.#running.delete(orgId);
      this.#dispatch();
    }
  }

  #failure(e: unknown, fileName: string, timedOut: boolean, clientGone: boolean): AppError {
    if (clientGone) return cancelled(fileName);
    if (timedOut) {
      return new AppError(
        'unprocessable',
        `L’analyse du fichier « ${fileName} » a dépassé ${Math.round(this.options.timeoutMs / 1000)} s : il est trop volumineux ou trop complexe. Découpez-le puis réessayez.`,
        { param: 'file', cause: e },
      );
    }
    const code = (e as { code?: string } | null)?.code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new AppError(
        'unprocessable',
        `L’analyse du fichier « ${fileName} » demande plus de ${this.options.memoryMb} Mo de mémoire : il est trop volumineux ou trop complexe. Découpez-le puis réessayez.`,
        { param: 'file', cause: e },
      );
    }
    return new AppError('unprocessable', `Le fichier « ${fileName} » n'a pas pu être analysé.`, {
      param: 'file',
      cause: e,
    });
  }

  #pool(): Piscina<PrepareTask, WorkerAnswer> {
    this.#piscina ??= new Piscina<PrepareTask, WorkerAnswer>({
      filename: new URL('./worker.mjs', import.meta.url).href,
      minThreads: this.#warm ? this.options.workers : 0,
      maxThreads: this.options.workers,
      idleTimeout: 30_000,
      concurrentTasksPerWorker: 1,
      workerData: { ocr: this.options.ocr ?? null },
      // Parsing is background work: the event loop's thread (health, searches, streams) goes first.
      niceIncrement: 10,
      resourceLimits: {
        maxOldGenerationSizeMb: this.options.memoryMb,
        maxYoungGenerationSizeMb: Math.min(64, Math.max(16, Math.round(this.options.memoryMb / 8))),
        stackSizeMb: 4,
      },
    });
    return this.#piscina;
  }
}

function cancelled(fileName: string): AppError {
  return new AppError(
    'invalid_request',
    `L’envoi du fichier « ${fileName} » a été interrompu : rien n’a été enregistré.`,
    { param: 'file' },
  );
}

/** One pool per configuration (a process has one; tests build several apps). */
const pools = new Map<string, ParsePool>();

export function parsePoolFor(options: Partial<ParsePoolOptions>): ParsePool {
  const key = JSON.stringify(options);
  let pool = pools.get(key);
  if (!pool) {
    pool = new ParsePool(options);
    pools.set(key, pool);
  }
  return pool;
}

/** Stops every pool of the process (`guichet serve` on its way out). */
export async function closeParsePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}
