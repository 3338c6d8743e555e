/**
 * The corpus refresh from the DILA as a job (the admin's "Mettre à jour le corpus", the daily
 * schedule): any replica may run it, one at a time (the refresh holds the store's named lock).
 */
import type { ServicePublicRefreshConfig } from '../knowledge/config.js';
import { REFRESH_INTERVALS } from '../knowledge/config.js';
import type { EgressFetch } from '../models/http-client.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../store/spec.js';
import { refreshReportJson, refreshServicePublic } from '../usecases/refresh-service-public.js';
import type { JobQueue } from './spec.js';

export const REFRESH_SERVICE_PUBLIC_JOB = 'refresh-service-public';

export interface RefreshJobDeps {
  store: Store;
  egress: EgressFetch;
  config: ServicePublicRefreshConfig;
  dataDir: string;
  chunkTokens: number;
  logger?: Logger;
}

export async function workRefreshJobs(queue: JobQueue, deps: RefreshJobDeps): Promise<void> {
  await queue.work(REFRESH_SERVICE_PUBLIC_JOB, async (_data, ctx) => {
    let last = 0;
    let pending: Promise<void> = Promise.resolve();
    const report = await refreshServicePublic({
      store: deps.store,
      egress: deps.egress,
      config: deps.config,
      dataDir: deps.dataDir,
      chunkTokens: deps.chunkTokens,
      signal: ctx.signal,
      onWarning: (m) => deps.logger?.warn(m),
      onProgress: (p) => {
        const now = Date.now();
        if (now - last < 1000 && p.done < p.total) return;
        last = now;
        pending = pending.then(() => ctx.progress(p)).catch(() => undefined);
      },
    });
    await pending;
    if (report.summary) await ctx.progress({ done: report.summary.total, total: report.summary.total });
    deps.logger?.info({ job: ctx.id }, report.message);
    return refreshReportJson(report);
  });
}

const SCHEDULED_KEY = 'service_public.refresh.scheduled_at';

export interface RefreshSchedule {
  stop(): void;
  /** Runs one check now (tests); resolves with the job id queued, if any. */
  check(): Promise<string | null>;
}

/**
 * `guichet serve`: queues a refresh when one is due. Every replica checks, but the decision is taken
 * under the store's named lock against a date kept in the store, so one replica queues it. A
 * corpus never refreshed is first refreshed `firstDelayMs` after the first start (default 1 h).
 */
export function scheduleRefresh(o: {
  store: Store;
  queue: JobQueue;
  every: ServicePublicRefreshConfig['refresh'];
  logger?: Logger;
  checkEveryMs?: number;
  firstDelayMs?: number;
  now?: () => number;
}): RefreshSchedule {
  const interval = REFRESH_INTERVALS[o.every];
  const now = o.now ?? Date.now;
  const firstDelay = o.firstDelayMs ?? 3_600_000;
  const check = async (): Promise<string | null> => {
    if (interval === 0) return null;
    return o.store.meta.exclusive('service-public.refresh.schedule', async () => {
      const raw = await o.store.meta.get(SCHEDULED_KEY);
      const t = now();
      if (!raw || Number.isNaN(Date.parse(raw))) {
        // First start: the first refresh comes `firstDelay` from now.
        await o.store.meta.set(SCHEDULED_KEY, new Date(t - interval + firstDelay).toISOString());
        return null;
      }
      if (t - Date.parse(raw) < interval) return null;
      await o.store.meta.set(SCHEDULED_KEY, new Date(t).toISOString());
      const id = await o.queue.enqueue(REFRESH_SERVICE_PUBLIC_JOB, { scheduled: true });
      o.logger?.info({ job: id }, 'mise à jour planifiée du corpus service-public mise en file');
      return id;
    });
  };
  if (interval === 0) return { stop: () => undefined, check };
  const timer = setInterval(
    () =>
      void check().catch((err: unknown) =>
        o.logger?.warn({ err }, 'planification de la mise à jour du corpus'),
      ),
    o.checkEveryMs ?? Math.min(interval, 10 * 60_000),
  );
  timer.unref();
  void check().catch((err: unknown) => o.logger?.warn({ err }, 'planification de la mise à jour du corpus'));
  return { stop: () => clearInterval(timer), check };
}
