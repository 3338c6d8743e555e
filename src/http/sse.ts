import { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AppError } from '../shared/errors.js';
import type { AppEnv } from './env.js';

/** Where a route writes its server-sent events. */
export interface SseSink {
  /**
   * Queues one event (`data: …`, one line per line of `data`). Undefined when it can take more at
   * once; a promise when the client reads slowly: wait for it before producing the next event.
   */
  send(data: string): Promise<void> | undefined;
}

/**
 * The `data` of the event that reports a failure in the middle of a stream, in OpenAI's error
 * shape (the status line is long gone): the error's own message when it is ours, a generic one
 * otherwise (never an upstream's internals).
 */
export function streamErrorData(e: unknown): string {
  const err =
    e instanceof AppError ? e : new AppError('upstream_error', 'Le modèle a échoué pendant la génération.');
  return JSON.stringify({ error: { message: err.message, type: err.type, param: null, code: err.code } });
}

/** Header of the Node response that @hono/node-server leaves alone (its RESPONSE_ALREADY_SENT). */
const ALREADY_SENT = 'x-hono-already-sent';

function frame(data: string): string {
  if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) return `data: ${data}\n\n`;
  return `${data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/**
 * A response of server-sent events. `run` writes them through the sink; the response ends when
 * it settles, and `onAbort` is called if the client goes away first.
 *
 * Under `@hono/node-server` (HTTP/1.1), events go straight to the Node `ServerResponse`: the
 * events produced in one tick leave in one system call, with the socket's own backpressure (a slow
 * client makes `send` return a promise). This replaces Hono's SSE helper, whose web streams and
 * one socket write per event cost most of the CPU of a relayed token. Elsewhere (`app.request` in
 * tests, other runtimes) Hono's `streamSSE` writes the same bytes.
 */
export function sseResponse(
  c: Context<AppEnv>,
  onAbort: () => void,
  run: (sink: SseSink) => Promise<void>,
): Response {
  c.header('Transfer-Encoding', 'chunked');
  c.header('Content-Type', 'text/event-stream');
  c.header('Cache-Control', 'no-cache');
  c.header('Connection', 'keep-alive');
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  if (!(outgoing instanceof ServerResponse)) {
    return streamSSE(c, async (stream) => {
      stream.onAbort(onAbort);
      await run({ send: (data) => stream.writeSSE({ data }) });
    }) as unknown as Response;
  }
  // Headers as Hono would have sent them: those set so far on the context, and the four above.
  const response = c.newResponse(null, 200);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of response.headers) {
    if (k === 'set-cookie') headers[k] = response.headers.getSetCookie();
    else headers[k] = v;
  }
  outgoing.writeHead(200, headers);
  outgoing.flushHeaders();
  const sink = new NodeSseSink(outgoing, onAbort);
  run(sink)
    .catch((err: unknown) =>
      c.get('logger')?.error({ err, requestId: c.get('requestId') }, 'SSE stream failed'),
    )
    .finally(() => sink.end());
  // The adapter writes nothing for this one (no body, the already-sent header). Reading `body`
  // turns the adapter's light Response into a native one: a light one with a null body would be
  // answered from its cache (writeHead + end) without looking at that header.
  response.headers.set(ALREADY_SENT, 'true');
  void response.body;
  return response;
}

const FLUSH_AT = 16 * 1024;

class NodeSseSink implements SseSink {
  private ended = false;
  /** Events of this tick not yet written. */
  private pending = '';
  private scheduled = false;
  /** Set while the client reads slowly (the last write filled the socket's buffer). */
  private slow: Promise<void> | null = null;
  /**
   * The socket, when events may be written to it directly: the response owns it (Node sets
   * `socket` only then; a pipelined response waiting its turn has none), its headers are out
   * (flushed before), and its body is chunked. Each chunk is then framed here as Node frames it
   * and written in one call, which spares ServerResponse's four buffered writes and its own tick
   * per chunk. Otherwise events go through `res.write`.
   */
  private readonly socket: Socket | null;

  /** Built once the headers have been flushed. */
  constructor(
    private readonly res: ServerResponse,
    onAbort: () => void,
  ) {
    this.socket = res.socket && res.chunkedEncoding && res.headersSent ? res.socket : null;
    res.once('close', () => {
      if (!res.writableFinished) onAbort();
    });
  }

  send(data: string): Promise<void> | undefined {
    if (this.ended || this.res.destroyed) return undefined;
    this.pending += frame(data);
    // A producer that does not wait between events still writes (and is held) every 16 KiB.
    if (this.pending.length >= FLUSH_AT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      // After this tick's microtasks: the events they produced leave in one chunk, one system call.
      process.nextTick(this.flush);
    }
    return this.slow ?? undefined;
  }

  end(): void {
    if (this.ended) return;
    this.flush();
    this.ended = true;
    if (!this.res.destroyed) this.res.end();
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.ended || !this.pending || this.res.destroyed) return;
    const text = this.pending;
    this.pending = '';
    const socket = this.socket;
    if (socket) {
      if (socket.destroyed) return;
      if (!socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`)) this.waitFor(socket);
    } else if (!this.res.write(text)) this.waitFor(this.res);
  };

  private waitFor(emitter: NodeJS.EventEmitter): void {
    this.slow ??= new Promise<void>((resolve) => {
      const done = () => {
        emitter.off('drain', done);
        this.res.off('close', done);
        this.slow = null;
        resolve();
      };
      emitter.on('drain', done);
      this.res.on('close', done);
    });
  }
}
