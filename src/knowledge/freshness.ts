/**
 * How old a source is, for a person at the counter: a source dated more than `months` ago is stale
 * (its rules may have changed), and an answer resting on one says so.
 */

/** True when `date` (ISO `YYYY-MM-DD…`) is older than `months` months before `now`. Unknown: false. */
export function isStale(date: string | null | undefined, months: number, now: Date = new Date()): boolean {
  if (!date) return false;
  const t = Date.parse(date.slice(0, 10));
  if (Number.isNaN(t)) return false;
  const limit = new Date(now);
  limit.setUTCMonth(limit.getUTCMonth() - months);
  return t < limit.getTime();
}

/** `2020-11-12` → `12/11/2020` (as a French reader writes a date). */
export function frenchDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : date;
}

/**
 * The one-line caveat of an answer resting on stale sources (the oldest one's date is named), or
 * null when none is stale.
 */
export function staleCaveat(sources: { date: string | null; stale?: boolean }[]): string | null {
  const dates = sources
    .filter((s) => s.stale && s.date)
    .map((s) => s.date!.slice(0, 10))
    .sort();
  if (dates.length === 0) return null;
  return `Source du ${frenchDate(dates[0])} : vérifiez sur le site officiel avant de répondre.`;
}

/** service-public.fr has redirected to service-public.gouv.fr since 2024: links go to the current domain. */
export function currentOfficialUrl(url: string | null): string | null {
  if (!url) return url;
  return url.replace(
    /^https?:\/\/(www\.)?service-public\.fr(?=[/?#]|$)/i,
    'https://www.service-public.gouv.fr',
  );
}
