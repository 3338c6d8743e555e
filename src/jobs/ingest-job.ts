import { existsSync } from 'node:fs';
import { AppError } from '../shared/errors.js';
import type { Store } from '../store/spec.js';
import { ingestServicePublic } from '../usecases/ingest-service-public.js';
import type { JobQueue } from './spec.js';

export const INGEST_SERVICE_PUBLIC_JOB = 'ingest-service-public';

export interface IngestJobDeps {
  store: Store;
  chunkTokens: number;
  onWarning?: (message: string) => void;
}

/** Checks a job's input before it is queued (a bad one fails now, in French, not in a replica later). */
export function ingestJobData(source: string | undefined): Record<string, unknown> {
  if (source !== undefined && !existsSync(source)) {
    throw new AppError('invalid_request', `Source introuvable sur le serveur : ${source}`, {
      param: 'source',
    });
  }
  return source === undefined ? {} : { source };
}

/**
 * The corpus refresh as a job. `ingestServicePublic` is idempotent and resumable (one transaction
 * per batch, unchanged publications skipped), so a retry after a replica's death redoes only the
 * batch that was under way.
 */
export async function workIngestJobs(queue: JobQueue, deps: IngestJobDeps): Promise<void> {
  await queue.work(INGEST_SERVICE_PUBLIC_JOB, async (data, ctx) => {
    const source = typeof data.source === 'string' ? data.source : undefined;
    let last = 0;
    let pending: Promise<void> = Promise.resolve();
    const summary = await ingestServicePublic({
      store: deps.store,
      source,
      chunkTokens: deps.chunkTokens,
      signal: ctx.signal,
      onWarning: deps.onWarning,
      onProgress: (p) => {
        const now = Date.now();
        if (now - last < 1000 && p.done < p.total) return;
        last = now;
        pending = pending.then(() => ctx.progress(p)).catch(() => undefined);
      },
    });
    await pending;
    await ctx.progress({ done: summary.total, total: summary.total });
    return summary;
  });
}
