/** Fixed windows (UTC): a counter's key carries its window's start; the window ends at `end`. */
export type Period = 'minute' | 'day' | 'month';

export interface Window {
  period: Period;
  start: number;
  end: number;
}

export function windowOf(period: Period, now: number): Window {
  if (period === 'minute') {
    const start = now - (now % 60_000);
    return { period, start, end: start + 60_000 };
  }
  if (period === 'day') {
    const start = now - (now % 86_400_000);
    return { period, start, end: start + 86_400_000 };
  }
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return { period, start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}
