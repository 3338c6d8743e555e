import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEnv } from './env.js';
import { sseResponse, type SseSink } from './sse.js';

type Server = ReturnType<typeof serve>;
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function appWith(run: (out: SseSink) => Promise<void>, onAbort: () => void = () => {}) {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.header('x-request-id', 'req_test');
    await next();
  });
  app.get('/events', (c) => sseResponse(c, onAbort, run));
  return app;
}

async function listen(app: Hono<AppEnv>): Promise<number> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

/** A raw HTTP/1.1 exchange: the response bytes as they came; `ended` once the last chunk is in. */
function rawGet(port: number): { socket: Socket; received: () => string; ended: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  let end!: (t: string) => void;
  const ended = new Promise<string>((resolve) => (end = resolve));
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    text += d;
    if (text.endsWith('\r\n0\r\n\r\n')) {
      end(text);
      socket.destroy();
    }
  });
  socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
  return { socket, received: () => text, ended };
}

/** The chunks of a chunked HTTP body (hex size, CRLF, bytes, CRLF; then 0). */
function chunksOf(raw: string): string[] {
  let rest = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const out: string[] = [];
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out.push(Buffer.from(rest.slice(eol + 2, eol + 2 + size), 'latin1').toString('utf8'));
    rest = rest.slice(eol + 2 + size + 2);
  }
}

const EVENTS = ['{"a":1}', 'deux\nlignes', '{"texte":"é€ 😀"}', '[DONE]'];

describe('SSE responses', () => {
  it('sends the same headers and bytes as Hono’s streamSSE (which answers without a Node response)', async () => {
    const app = appWith(async (out) => {
      for (const e of EVENTS) await out.send(e);
    });
    const viaHono = await app.request('/events');
    const port = await listen(app);
    const viaNode = await fetch(`http://127.0.0.1:${port}/events`);
    const body = await viaNode.text();
    expect(body).toBe(await viaHono.text());
    expect(body).toBe(
      'data: {"a":1}\n\ndata: deux\ndata: lignes\n\ndata: {"texte":"é€ 😀"}\n\ndata: [DONE]\n\n',
    );
    for (const h of ['content-type', 'cache-control', 'x-request-id']) {
      expect(viaNode.headers.get(h)).toBe(viaHono.headers.get(h));
    }
    expect(viaNode.headers.get('x-hono-already-sent')).toBeNull();
    expect(viaNode.headers.get('transfer-encoding')).toBe('chunked');
  });

  it('writes the events of one tick in one chunk, then each later one as it comes', async () => {
    const app = appWith(async (out) => {
      void out.send('un');
      void out.send('deux');
      await new Promise((r) => setTimeout(r, 20));
      void out.send('trois');
    });
    const { ended } = rawGet(await listen(app));
    expect(chunksOf(await ended)).toEqual(['data: un\n\ndata: deux\n\n', 'data: trois\n\n']);
  });

  it('holds the producer while the client does not read, then delivers everything in order', async () => {
    const total = 20_000;
    let produced = 0;
    let waits = 0;
    const line = 'x'.repeat(1000);
    const app = appWith(async (out) => {
      for (let i = 0; i < total; i++) {
        const slow = out.send(`${i} ${line}`);
        produced++;
        if (slow) {
          waits++;
          await slow;
        }
      }
    });
    const { socket, ended } = rawGet(await listen(app));
    socket.pause();
    await new Promise((r) => setTimeout(r, 500));
    const whileStalled = produced;
    expect(whileStalled).toBeLessThan(total);
    expect(waits).toBeGreaterThan(0);
    socket.resume();
    const events = chunksOf(await ended)
      .join('')
      .split('\n\n')
      .filter(Boolean);
    expect(events).toHaveLength(total);
    expect(events[total - 1]).toBe(`data: ${total - 1} ${line}`);
  });

  it('calls onAbort when the client goes away mid-stream, and the producer is not held', async () => {
    let aborted!: () => void;
    const abortedP = new Promise<void>((r) => (aborted = r));
    let finished!: () => void;
    const finishedP = new Promise<void>((r) => (finished = r));
    const app = appWith(async (out) => {
      await out.send('premier');
      await abortedP;
      // After the client has gone: dropped, never a promise that would not settle.
      expect(out.send('perdu')).toBeUndefined();
      finished();
    }, aborted);
    const { socket, received } = rawGet(await listen(app));
    await expect.poll(() => received()).toContain('data: premier');
    socket.destroy();
    await abortedP;
    await finishedP;
  });

  it('ends the response when the producer fails', async () => {
    const app = appWith(async (out) => {
      await out.send('avant');
      throw new Error('échec');
    });
    const { ended } = rawGet(await listen(app));
    expect(chunksOf(await ended)).toEqual(['data: avant\n\n']);
  });
});
