/**
 * The national corpus as a person should judge it: the date of its newest fiche, whether that is
 * older than the configured age, and the last refresh attempt. Read by `/health` and `guichet doctor`.
 */
import { isStale } from '../knowledge/freshness.js';
import type { Store } from '../store/spec.js';
import { readLastRefresh, type LastRefresh } from './refresh-service-public.js';

export interface CorpusStatus {
  /** Newest fiche date, `YYYY-MM-DD`; null before any ingestion. */
  date: string | null;
  stale: boolean;
  last_refresh: LastRefresh | null;
}

export async function corpusStatus(
  store: Store,
  staleAfterMonths: number,
  now = new Date(),
): Promise<CorpusStatus> {
  const latest = await store.meta.get('service_public.latest_date');
  const date = latest ? latest.slice(0, 10) : null;
  return {
    date,
    // No corpus at all is not fresh either.
    stale: date === null ? true : isStale(date, staleAfterMonths, now),
    last_refresh: await readLastRefresh(store),
  };
}
