import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real loopback HTTP server scripted by each test (test helper, not used in production). */

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => unknown;

export interface FakeUpstream {
  readonly origin: string;
  /** `origin + '/v1'`. */
  readonly baseUrl: string;
  readonly requests: SeenRequest[];
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Responses whose connection closed before the server finished writing (client went away). */
  readonly closedEarly: number;
  /** Resolves when the next early close happens; rejects after `timeoutMs` (so a failing test fails fast). */
  nextEarlyClose(timeoutMs?: number): Promise<void>;
  handler: Handler;
  close(): Promise<void>;
}

export async function startUpstream(handler: Handler): Promise<FakeUpstream> {
  let inFlight = 0;
  let maxInFlight = 0;
  let closedEarly = 0;
  let earlyWaiters: Array<() => void> = [];
  const requests: SeenRequest[] = [];
  const state = { handler };
  const server = createServer(async (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => {
      inFlight--;
      if (!res.writableEnded) {
        closedEarly++;
        earlyWaiters.forEach((w) => w());
        earlyWaiters = [];
      }
    });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* keep raw text */
    }
    const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    requests.push(seen);
    try {
      await state.handler(seen, res);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    baseUrl: `${origin}/v1`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get closedEarly() {
      return closedEarly;
    },
    nextEarlyClose: (timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('upstream connection was never closed by the client')),
          timeoutMs,
        );
        earlyWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function completion(text: string, usage?: { prompt_tokens: number; completion_tokens: number }) {
  return {
    id: 'cmpl-1',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    ...(usage ? { usage } : {}),
  };
}

/** Writes SSE `data:` events, one per network write, with an optional pause between them. */
export async function sendSse(res: ServerResponse, events: string[], pauseMs = 0): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const e of events) {
    if (res.destroyed) return;
    res.write(`data: ${e}\n\n`);
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
  }
  res.end();
}

export function chunk(content: string | null, finish: string | null = null): string {
  return JSON.stringify({
    choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }],
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
