import type { Context, MiddlewareHandler } from 'hono';
import type { AccountsDeps } from '../../accounts/deps.js';
import { recordUsage as recordUsageRow } from '../../accounts/record-usage.js';
import type { AppEnv } from '../env.js';
import type { UsageReport } from '../usage-hook.js';
import { isBilled } from './billed.js';

interface UsageState {
  deps: AccountsDeps;
  startedAt: number;
  recorded: boolean;
  pending: Promise<void> | null;
}

const states = new WeakMap<Request, UsageState>();

/**
 * Writes one usage row per authenticated /v1 request. Routes that call a model report their tokens
 * with `recordUsage`; other routes get a row with 0 tokens when the handler returns. A streamed
 * response (text/event-stream) is left to its route, which calls `recordUsage` when the stream ends.
 * Requests refused by auth or quota are not recorded, nor screen reads and navigation (only model
 * and search calls, `billed.ts`).
 */
export function trackUsage(deps: AccountsDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isBilled(c.req.method, c.req.path)) return next();
    const state: UsageState = { deps, startedAt: performance.now(), recorded: false, pending: null };
    states.set(c.req.raw, state);
    // Bridge for routes reporting through `http/usage-hook.ts` (`reportUsage`).
    const recorder = (r: UsageReport) =>
      void recordUsage(c, {
        model: r.model,
        promptTokens: r.usage.promptTokens,
        completionTokens: r.usage.completionTokens,
        ttftMs: r.ttftMs,
        status: r.status,
      });
    c.set('usageRecorder' as never, recorder as never);
    await next();
    if (state.recorded) {
      // A non-streamed response: its row is written before the response leaves.
      if (!(c.res.headers.get('content-type') ?? '').includes('text/event-stream')) await state.pending;
      return;
    }
    if ((c.res.headers.get('content-type') ?? '').includes('text/event-stream')) return;
    await write(c, state, { model: null, promptTokens: 0, completionTokens: 0, ttftMs: null });
  };
}

export interface ModelUsage {
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** Time to first token, for streams; null otherwise. */
  ttftMs?: number | null;
  /** Status to record (default: the response's, or 200 once a stream has started). */
  status?: number;
}

/**
 * Called by routes that use a model (for streams: when the stream ends): charges the tokens and
 * credits to the organisation and the key, and writes the usage row. Once per request.
 */
export async function recordUsage(c: Context<AppEnv>, u: ModelUsage): Promise<void> {
  const state = states.get(c.req.raw);
  if (!state || state.recorded) return;
  state.recorded = true;
  state.pending = write(c, state, {
    model: u.model,
    promptTokens: u.promptTokens,
    completionTokens: u.completionTokens,
    ttftMs: u.ttftMs ?? null,
    status: u.status,
  });
  await state.pending;
}

async function write(
  c: Context<AppEnv>,
  state: UsageState,
  u: {
    model: string | null;
    promptTokens: number;
    completionTokens: number;
    ttftMs: number | null;
    status?: number;
  },
): Promise<void> {
  state.recorded = true;
  try {
    await recordUsageRow(state.deps, {
      principal: c.get('principal'),
      endpoint: `${c.req.method} ${c.req.routePath || c.req.path}`,
      model: u.model,
      promptTokens: u.promptTokens,
      completionTokens: u.completionTokens,
      latencyMs: performance.now() - state.startedAt,
      ttftMs: u.ttftMs,
      status: u.status ?? (c.finalized ? c.res.status : 200),
    });
  } catch (err) {
    c.get('logger')?.error({ err, requestId: c.get('requestId') }, 'usage not recorded');
  }
}
