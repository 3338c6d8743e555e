export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const median = (v: number[]) => percentile(v, 50);
export const fmt = (ms: number, digits = 2) => (Number.isFinite(ms) ? ms.toFixed(digits) : '—');
