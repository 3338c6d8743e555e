import { request as httpRequest, type Agent, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AppError } from '../shared/errors.js';

/**
 * The one HTTP client for upstream traffic. Only declared origins are reachable; every request is
 * counted per origin (the data-flow report reads `stats()`). Redirects are never followed, so a
 * declared upstream cannot bounce a request to an undeclared host.
 *
 * Two ways in, behind the same allow-list and counters: the `fetch` form (OIDC discovery, rare
 * calls) and `request`, on `node:http`/`node:https` with the caller's keep-alive `Agent` (model
 * calls: about half a millisecond of CPU less per call than `fetch`, see BENCHMARKS.md).
 */

export interface EgressRequestInfo {
  origin: string;
  path: string;
}

export interface EgressStats {
  /** Requests sent, per origin. */
  requests: Record<string, number>;
  /** Requests refused because their origin was not declared, per origin. */
  refused: Record<string, number>;
}

export interface EgressRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Sent with its Content-Length. */
  body?: string;
  /** Aborting destroys the connection (the upstream sees it close), at any point of the exchange. */
  signal: AbortSignal;
  /** Keep-alive pool of the caller (one per provider, sized by its `max_concurrency`). */
  agent?: Agent;
}

/** An upstream answer whose headers have arrived; the body is read from `body` or with `text()`. */
export interface EgressResponse {
  readonly status: number;
  /** A response header (lower-case name); repeated ones are joined with ', '. */
  header(name: string): string | undefined;
  /** The body as a Node stream of Buffers. */
  readonly body: IncomingMessage;
  text(): Promise<string>;
  /**
   * The body's chunks as they arrive. `return()` (a reader stopping early) leaves the body as it
   * is: the caller drains or destroys it. A body cut before its end fails, like `text()`.
   */
  chunks(): AsyncIterableIterator<Buffer>;
}

export type EgressFetch = typeof fetch & {
  stats(): EgressStats;
  readonly allowedOrigins: readonly string[];
  /** One HTTP exchange with a declared origin (`egress_refused` otherwise), redirects not followed. */
  request(url: string, init: EgressRequest): Promise<EgressResponse>;
};

/** Target of a URL, parsed once per distinct URL (model calls reuse a handful of them). */
interface Target {
  origin: string;
  path: string;
  https: boolean;
  options: RequestOptions;
}

function originOf(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

export function createEgressFetch(
  allowedOrigins: string[],
  onRequest?: (info: EgressRequestInfo) => void,
): EgressFetch {
  const allowed = new Set<string>();
  for (const o of allowedOrigins) {
    const origin = originOf(o);
    if (!origin)
      throw new AppError('config_invalid', `Origine réseau invalide dans la liste autorisée : « ${o} »`);
    allowed.add(origin);
  }
  const requests: Record<string, number> = {};
  const refused: Record<string, number> = {};

  /** Every request, whichever form, passes here: refused and counted unless its origin is declared. */
  const admit = (raw: string, origin: string | null, path: () => string): string => {
    if (!origin || !allowed.has(origin)) {
      const key = origin ?? 'invalide';
      refused[key] = (refused[key] ?? 0) + 1;
      throw new AppError(
        'egress_refused',
        `Connexion sortante refusée vers « ${origin ?? raw.slice(0, 80)} » : cette origine n’est pas déclarée dans la configuration.`,
      );
    }
    requests[origin] = (requests[origin] ?? 0) + 1;
    onRequest?.({ origin, path: path() });
    return origin;
  };

  const egressFetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const raw = requestUrl(input);
    admit(raw, originOf(raw), () => new URL(raw).pathname);
    return fetch(input, { ...init, redirect: 'manual' });
  };

  const targets = new Map<string, Target | null>();
  const targetOf = (raw: string): Target | null => {
    let t = targets.get(raw);
    if (t === undefined) {
      const origin = originOf(raw);
      if (origin) {
        const url = new URL(raw);
        t = {
          origin,
          path: url.pathname,
          https: url.protocol === 'https:',
          options: {
            protocol: url.protocol,
            hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
            port: url.port || undefined,
            path: url.pathname + url.search,
          },
        };
      } else t = null;
      if (targets.size >= 256) targets.clear();
      targets.set(raw, t);
    }
    return t;
  };

  const request = (raw: string, init: EgressRequest): Promise<EgressResponse> => {
    const t = targetOf(raw);
    try {
      admit(raw, t?.origin ?? null, () => t!.path);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return send(t!, init);
  };

  return Object.assign(egressFetch, {
    stats: (): EgressStats => ({ requests: { ...requests }, refused: { ...refused } }),
    allowedOrigins: [...allowed],
    request,
  }) as EgressFetch;
}

function send(t: Target, init: EgressRequest): Promise<EgressResponse> {
  const { signal } = init;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    const req = (t.https ? httpsRequest : httpRequest)({
      ...t.options,
      method: init.method,
      headers,
      agent: init.agent,
    });
    let settled = false;
    let response: IncomingMessage | undefined;
    // Destroying the socket is what the upstream sees. Once the headers are in, the response is
    // destroyed without an error object: readers then fail with a premature close.
    const onAbort = () => {
      if (response) return void response.destroy();
      const reason: unknown = signal.reason;
      req.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => signal.removeEventListener('abort', onAbort);
    req.on('error', (e) => {
      done();
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
    req.on('response', (res) => {
      settled = true;
      response = res;
      // Errors reach whoever reads the body; none may go unhandled when nobody reads it.
      res.on('error', noop);
      res.once('close', done);
      resolve(new NodeResponse(res));
    });
    req.end(init.body);
  });
}

function noop(): void {}

class NodeResponse implements EgressResponse {
  constructor(readonly body: IncomingMessage) {}

  get status(): number {
    return this.body.statusCode ?? 0;
  }

  header(name: string): string | undefined {
    const v = this.body.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  text(): Promise<string> {
    const res = this.body;
    return new Promise((resolve, reject) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.once('end', () => resolve(text));
      res.once('error', reject);
      // Destroyed before the end (abort, timeout, reset): `end` never comes.
      res.once('close', () => {
        if (!res.complete) reject(res.errored ?? new Error('connexion interrompue'));
      });
    });
  }

  chunks(): AsyncIterableIterator<Buffer> {
    return new BodyChunks(this.body);
  }
}

/**
 * A body read in flowing mode: each chunk goes from the socket's `data` event to the waiting
 * reader, without the tick and `read()` per chunk of Node's own stream iterator (one per streamed
 * token on the relay's hot path). The body is paused while a chunk waits to be read.
 */
class BodyChunks implements AsyncIterableIterator<Buffer> {
  private readonly queue: Buffer[] = [];
  private ended = false;
  private failure: unknown = null;
  private waiter: { resolve: (r: IteratorResult<Buffer>) => void; reject: (e: unknown) => void } | null =
    null;

  constructor(private readonly body: IncomingMessage) {
    body.on('data', this.onData);
    body.on('end', this.onEnd);
    body.on('error', this.onError);
    body.on('close', this.onClose);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const chunk = this.queue.shift();
    if (chunk !== undefined) {
      if (this.queue.length === 0 && !this.ended) this.body.resume();
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  return(): Promise<IteratorResult<Buffer>> {
    this.detach();
    this.ended = true;
    this.queue.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  private readonly onData = (chunk: Buffer): void => {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w.resolve({ value: chunk, done: false });
      return;
    }
    this.queue.push(chunk);
    this.body.pause();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.detach();
    const w = this.waiter;
    this.waiter = null;
    w?.resolve({ value: undefined, done: true });
  };

  private readonly onError = (e: unknown): void => this.fail(e);

  /** Closed before its end (abort, timeout, reset). */
  private readonly onClose = (): void => {
    if (!this.ended && !this.body.complete)
      this.fail(this.body.errored ?? new Error('connexion interrompue'));
  };

  private fail(e: unknown): void {
    this.failure ??= e;
    this.detach();
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.failure);
  }

  private detach(): void {
    this.body.off('data', this.onData);
    this.body.off('end', this.onEnd);
    this.body.off('error', this.onError);
    this.body.off('close', this.onClose);
  }
}
