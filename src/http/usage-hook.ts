import type { Context } from 'hono';
import type { Usage } from '../models/spec.js';
import type { AppEnv } from './env.js';

export interface UsageReport {
  model: string;
  usage: Usage;
  ttftMs: number | null;
}

/** Routes that call models report tokens here once known (for a stream: at its end). */
export function reportUsage(c: Context<AppEnv>, report: UsageReport): void {
  const recorder = (c.var as Record<string, unknown>).usageRecorder as ((r: UsageReport) => void) | undefined;
  recorder?.(report);
}
