import type { Agent } from 'node:http';
import type { z } from 'zod';
import { isAppError } from '../../../shared/errors.js';
import { createDeadline, type Deadline } from '../../deadline.js';
import type { EgressFetch, EgressResponse } from '../../http-client.js';
import type { Semaphore } from '../../semaphore.js';
import { UpstreamError, isRetryableStatus, throwIfCallerAborted } from '../../upstream-error.js';
import { upstreamErrorSchema } from './schemas.js';

/** What every call to one OpenAI-compatible upstream needs. */
export interface ProviderContext {
  id: string;
  baseUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
  egress: EgressFetch;
  /** Keep-alive connections to this upstream, as many as `semaphore` permits. */
  agent: Agent;
  semaphore: Semaphore;
}

/** An open upstream call: holds a concurrency permit until `close()`. */
export interface UpstreamCall {
  response: EgressResponse;
  deadline: Deadline;
  close(): void;
}

export function malformed(ctx: ProviderContext, what: string, cause?: unknown): UpstreamError {
  return new UpstreamError('upstream_error', `Réponse invalide du fournisseur « ${ctx.id} » : ${what}.`, {
    retryable: false,
    cause,
  });
}

/** Maps anything thrown during a call to the caller's abort reason or an `UpstreamError`. */
export function toUpstreamError(
  e: unknown,
  ctx: ProviderContext,
  deadline: Deadline,
  caller: AbortSignal,
): unknown {
  if (caller.aborted) return caller.reason ?? e;
  if (deadline.timedOut) {
    return new UpstreamError(
      'upstream_timeout',
      `Le fournisseur « ${ctx.id} » n’a pas répondu dans le délai imparti (${ctx.timeoutMs} ms).`,
      { retryable: true, cause: e },
    );
  }
  if (isAppError(e)) return e;
  return new UpstreamError('upstream_error', `Le fournisseur « ${ctx.id} » est injoignable.`, {
    retryable: true,
    cause: e,
  });
}

async function statusError(ctx: ProviderContext, res: EgressResponse): Promise<UpstreamError> {
  const status = res.status;
  const body = await res.text().catch(() => '');
  const parsed = upstreamErrorSchema.safeParse(safeJson(body).value);
  const detailRaw = parsed.success
    ? typeof parsed.data.error === 'string'
      ? parsed.data.error
      : (parsed.data.error.message ?? '')
    : '';
  const detail = detailRaw ? ` : ${detailRaw.slice(0, 200)}` : '';
  const retryable = isRetryableStatus(status);
  if (status === 429) {
    const retryAfter = res.header('retry-after');
    return new UpstreamError(
      'service_unavailable',
      `Le fournisseur « ${ctx.id} » est saturé (HTTP 429), réessayez plus tard.`,
      {
        retryable,
        upstreamStatus: status,
        headers: retryAfter && /^\d{1,5}$/.test(retryAfter) ? { 'Retry-After': retryAfter } : {},
      },
    );
  }
  const what =
    status >= 300 && status < 400
      ? 'a répondu par une redirection, qui n’est pas suivie'
      : status === 401 || status === 403
        ? 'a refusé la clé d’API'
        : retryable
          ? 'est en erreur'
          : 'a refusé la requête';
  return new UpstreamError(
    'upstream_error',
    `Le fournisseur « ${ctx.id} » ${what} (HTTP ${status})${detail}.`,
    {
      retryable,
      upstreamStatus: status,
    },
  );
}

export function safeJson(text: string): { ok: boolean; value: unknown } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, value: undefined };
  }
}

export async function openCall(
  ctx: ProviderContext,
  path: string,
  body: unknown,
  caller: AbortSignal,
): Promise<UpstreamCall> {
  throwIfCallerAborted(caller);
  const deadline = createDeadline(caller, ctx.timeoutMs);
  let release: (() => void) | undefined;
  let response: EgressResponse | undefined;
  const close = () => {
    deadline.clear();
    release?.();
    if (response) drain(response);
  };
  try {
    release = await ctx.semaphore.acquire(deadline.signal);
    const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
    if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    response = await ctx.egress.request(ctx.baseUrl + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: deadline.signal,
      agent: ctx.agent,
    });
    if (response.status < 200 || response.status >= 300) throw await statusError(ctx, response);
    return { response, deadline, close };
  } catch (e) {
    close();
    throw toUpstreamError(e, ctx, deadline, caller);
  }
}

/**
 * A reader may stop at `[DONE]` before the end of the HTTP response: the rest is read and dropped so
 * that the connection returns to the pool; one that does not end within a second is closed.
 */
function drain(response: EgressResponse): void {
  const body = response.body;
  if (body.readableEnded || body.destroyed) return;
  body.resume();
  if (body.complete) return;
  const timer = setTimeout(() => body.destroy(), 1000);
  timer.unref();
  body.once('close', () => clearTimeout(timer));
}

/** One JSON request → a validated answer. */
export async function requestJson<S extends z.ZodType>(
  ctx: ProviderContext,
  path: string,
  body: unknown,
  schema: S,
  caller: AbortSignal,
): Promise<z.output<S>> {
  const call = await openCall(ctx, path, body, caller);
  try {
    let text: string;
    try {
      text = await call.response.text();
    } catch (e) {
      throw toUpstreamError(e, ctx, call.deadline, caller);
    }
    const json = safeJson(text);
    if (!json.ok) throw malformed(ctx, 'le corps n’est pas du JSON');
    const parsed = schema.safeParse(json.value);
    if (!parsed.success) throw malformed(ctx, 'structure inattendue', parsed.error);
    return parsed.data;
  } finally {
    call.close();
  }
}
