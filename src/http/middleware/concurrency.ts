import { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../shared/errors.js';
import type { AppEnv } from '../env.js';

/** Requests that call a model (chat, conversation answers, embeddings). */
const MODEL_CALL = /^\/v1\/(chat\/completions|embeddings|conversations\/[^/]+\/messages)\/?$/;

/**
 * `accounts.max_concurrent`: model calls running at once per key and per organisation (in this
 * process). One more gets 429 with Retry-After at once rather than waiting: a single key sending
 * dozens of streams cannot occupy the providers' slots. A call counts until its response is over
 * (for a stream: until its last event or its client's departure).
 */
export function limitConcurrency(limits: {
  key: number | null;
  org: number | null;
}): MiddlewareHandler<AppEnv> {
  const running = new Map<string, number>();
  const add = (id: string, n: number) => {
    const v = (running.get(id) ?? 0) + n;
    if (v > 0) running.set(id, v);
    else running.delete(id);
  };
  return async (c, next) => {
    if (c.req.method !== 'POST' || !MODEL_CALL.test(c.req.path)) return next();
    const p = c.get('principal');
    const ids: [string, number | null, string][] = [[`org:${p.orgId}`, limits.org, 'votre organisation']];
    if (p.keyId) ids.push([`key:${p.keyId}`, limits.key, 'cette clé']);
    for (const [id, limit, who] of ids) {
      if (limit !== null && (running.get(id) ?? 0) >= limit) {
        throw new AppError(
          'rate_limit_exceeded',
          `Trop d’appels simultanés aux modèles pour ${who} (${limit} au plus) : attendez la fin d’une réponse en cours.`,
          { headers: { 'Retry-After': '1' } },
        );
      }
    }
    for (const [id] of ids) add(id, 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const [id] of ids) add(id, -1);
    };
    try {
      await next();
    } catch (e) {
      release();
      throw e;
    }
    const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
    const streaming = (c.res.headers.get('content-type') ?? '').includes('text/event-stream');
    if (
      streaming &&
      outgoing instanceof ServerResponse &&
      !outgoing.writableFinished &&
      !outgoing.destroyed
    ) {
      outgoing.once('close', release);
    } else if (streaming && c.res.body) {
      // app.request (no Node response): the stream's end is the body's end.
      const [a, b] = c.res.body.tee();
      void b.pipeTo(new WritableStream()).finally(release);
      c.res = new Response(a, c.res);
    } else release();
  };
}
