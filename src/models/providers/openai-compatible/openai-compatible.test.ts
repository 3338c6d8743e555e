import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { parseProvidersConfig } from '../../config.js';
import { createEgressFetch } from '../../http-client.js';
import type { ChatDelta, ChatRequest } from '../../spec.js';
import { UpstreamError } from '../../upstream-error.js';
import {
  chunk,
  completion,
  sendJson,
  sendSse,
  sleep,
  startUpstream,
  type FakeUpstream,
  type Handler,
} from '../../testing/fake-upstream.js';
import { createOpenAiCompatibleProvider } from './index.js';

let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

async function setup(handler: Handler, extra: Record<string, unknown> = {}) {
  upstream = await startUpstream(handler);
  const config = parseProvidersConfig({
    providers: [
      {
        id: 'albert',
        type: 'openai-compatible',
        base_url: upstream.baseUrl,
        models: ['m1'],
        api_key_env: 'TEST_KEY',
        ...extra,
      },
    ],
  });
  const egress = createEgressFetch([upstream.origin]);
  const provider = createOpenAiCompatibleProvider(config.providers[0] as any, {
    egress,
    env: { TEST_KEY: 'sk-test' },
  });
  return { provider, model: provider.chatModel('m1'), egress, upstream };
}

const req = (signal: AbortSignal): ChatRequest => ({
  model: 'm1',
  messages: [{ role: 'user', content: 'Comment renouveler ma carte d’identité ?' }],
  max_tokens: 20,
  signal,
});
const live = () => new AbortController().signal;

async function collect(it: AsyncIterable<ChatDelta>): Promise<ChatDelta[]> {
  const out: ChatDelta[] = [];
  for await (const d of it) out.push(d);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('openai-compatible chat', () => {
  it('completes, sends the key and the parameters, reads upstream usage', async () => {
    const { model } = await setup((_r, res) =>
      sendJson(res, 200, completion('Bonjour.', { prompt_tokens: 12, completion_tokens: 3 })),
    );
    const result = await model.complete({
      ...req(live()),
      temperature: 0.2,
      stop: ['\n\n'],
      extra: { top_k: 5, guichet_sources: [{ index: 1 }], guichet_query: 'question' },
    });
    expect(result).toEqual({
      text: 'Bonjour.',
      finishReason: 'stop',
      usage: { promptTokens: 12, completionTokens: 3 },
    });
    const seen = upstream!.requests[0];
    expect(seen.body).not.toHaveProperty('guichet_sources');
    expect(seen.body).not.toHaveProperty('guichet_query');
    expect(seen.path).toBe('/v1/chat/completions');
    expect(seen.headers.authorization).toBe('Bearer sk-test');
    expect(seen.body).toMatchObject({
      model: 'm1',
      temperature: 0.2,
      stop: ['\n\n'],
      top_k: 5,
      stream: false,
      max_tokens: 20,
    });
  });

  it('estimates usage when the upstream gives none', async () => {
    const { model } = await setup((_r, res) => sendJson(res, 200, completion('12345678')));
    const result = await model.complete(req(live()));
    expect(result.usage.completionTokens).toBe(2);
    expect(result.usage.promptTokens).toBeGreaterThan(0);
  });

  it('streams SSE split across writes, CRLF included, usage in the last event', async () => {
    const { model } = await setup(async (_r, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': keep-alive\r\n\r\n');
      const first = `data: ${chunk('Bon')}\r\n\r\n`;
      res.write(first.slice(0, 10));
      await sleep(5);
      res.write(first.slice(10));
      res.write(`data: ${chunk('jour')}\n\ndata: ${chunk(null, 'length')}\n\n`);
      res.write(
        `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 2 } })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    });
    const deltas = await collect(model.stream(req(live())));
    expect(deltas).toEqual([
      { type: 'text', text: 'Bon' },
      { type: 'text', text: 'jour' },
      { type: 'finish', finishReason: 'length', usage: { promptTokens: 7, completionTokens: 2 } },
    ]);
    expect(upstream!.requests[0].body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it.each([
    ['not JSON', (res: any) => res.end('<html>erreur</html>')],
    ['wrong shape', (res: any) => sendJson(res, 200, { choices: 'non' })],
    ['empty choices', (res: any) => sendJson(res, 200, { choices: [] })],
  ])('malformed answer (%s) → upstream_error 502', async (_name, write) => {
    const { model } = await setup((_r, res) => write(res));
    const e = await rejection(model.complete(req(live())));
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('upstream_error');
    expect(e.status).toBe(502);
    expect(e.isRetryable).toBe(false);
  });

  it.each([
    ['non-JSON event', [chunk('a'), 'n’importe quoi']],
    ['wrong event shape', [JSON.stringify({ choices: [{ delta: { content: 42 } }] })]],
    ['stream cut before the end', [chunk('a')]],
    ['error event', [chunk('a'), JSON.stringify({ error: { message: 'boom' } })]],
  ])('garbage SSE (%s) → upstream_error', async (_name, events) => {
    const { model } = await setup((_r, res) => sendSse(res, events as string[]));
    const e = await rejection(collect(model.stream(req(live()))));
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('upstream_error');
  });

  it('an HTML page served as a stream is an upstream_error', async () => {
    const { model } = await setup((_r, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Maintenance</body></html>');
    });
    const e = await rejection(collect(model.stream(req(live()))));
    expect(e.code).toBe('upstream_error');
  });

  it('maps 429 (with Retry-After), 500 and 400', async () => {
    const { model } = await setup((r, res) => {
      if (upstream!.requests.length === 1) {
        res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
        return void res.end('{"error":{"message":"slow down"}}');
      }
      if (upstream!.requests.length === 2) return sendJson(res, 500, { error: 'down' });
      sendJson(res, 400, { error: { message: 'contexte trop long' } });
    });
    const e429 = await rejection(model.complete(req(live())));
    expect([e429.code, e429.isRetryable, e429.headers['Retry-After']]).toEqual([
      'service_unavailable',
      true,
      '7',
    ]);
    const e500 = await rejection(model.complete(req(live())));
    expect([e500.code, e500.isRetryable, e500.upstreamStatus]).toEqual(['upstream_error', true, 500]);
    const e400 = await rejection(model.complete(req(live())));
    expect([e400.code, e400.isRetryable]).toEqual(['upstream_error', false]);
    expect(e400.message).toContain('contexte trop long');
  });

  it('times out → upstream_timeout (504, retryable) and closes the connection', async () => {
    const { model } = await setup(() => new Promise(() => {}), { timeout_ms: 150 });
    const closed = upstream!.nextEarlyClose();
    const started = Date.now();
    const e = await rejection(model.complete(req(live())));
    expect([e.code, e.status, e.isRetryable]).toEqual(['upstream_timeout', 504, true]);
    expect(Date.now() - started).toBeLessThan(3000);
    await closed;
  });

  it('connection refused → retryable upstream_error', async () => {
    const { model } = await setup(() => {});
    await upstream!.close();
    const e = await rejection(model.complete(req(live())));
    expect(e).toBeInstanceOf(UpstreamError);
    expect([e.code, e.isRetryable]).toEqual(['upstream_error', true]);
  });

  it('caller abort (non-stream) closes the upstream connection before it finishes', async () => {
    let finished = false;
    const { model } = await setup(async (_r, res) => {
      await sleep(2000);
      finished = true;
      sendJson(res, 200, completion('trop tard'));
    });
    const ac = new AbortController();
    const closed = upstream!.nextEarlyClose();
    const p = rejection(model.complete(req(ac.signal)));
    await sleep(100);
    ac.abort();
    const e = await p;
    expect(e.name).toBe('AbortError');
    await closed;
    expect(finished).toBe(false);
    expect(upstream!.closedEarly).toBe(1);
  });

  it('caller abort mid-stream closes the upstream connection', async () => {
    const { model } = await setup((_r, res) =>
      sendSse(
        res,
        Array.from({ length: 200 }, (_, i) => chunk(`t${i} `)),
        20,
      ),
    );
    const ac = new AbortController();
    const closed = upstream!.nextEarlyClose();
    let seen = 0;
    const e = await rejection(
      (async () => {
        for await (const d of model.stream(req(ac.signal))) {
          if (d.type === 'text' && ++seen === 3) ac.abort();
        }
      })(),
    );
    expect(e.name).toBe('AbortError');
    await closed;
    expect(upstream!.closedEarly).toBe(1);
  });

  it('a consumer that stops reading closes the upstream connection', async () => {
    const { model } = await setup((_r, res) =>
      sendSse(
        res,
        Array.from({ length: 200 }, (_, i) => chunk(`t${i} `)),
        20,
      ),
    );
    const closed = upstream!.nextEarlyClose();
    for await (const d of model.stream(req(live()))) if (d.type === 'text') break;
    await closed;
  });

  it('respects max_concurrency: requests over it wait', async () => {
    const { model } = await setup(
      async (_r, res) => {
        await sleep(60);
        sendJson(res, 200, completion('ok'));
      },
      { max_concurrency: 2 },
    );
    const results = await Promise.all(Array.from({ length: 6 }, () => model.complete(req(live()))));
    expect(results.every((r) => r.text === 'ok')).toBe(true);
    expect(upstream!.requests).toHaveLength(6);
    expect(upstream!.maxInFlight).toBe(2);
  });

  it('refuses a missing API key variable at construction', () => {
    const config = parseProvidersConfig({
      providers: [
        {
          id: 'a',
          type: 'openai-compatible',
          base_url: 'http://127.0.0.1:1/v1',
          models: ['m'],
          api_key_env: 'ABSENT_KEY',
        },
      ],
    });
    expect(() =>
      createOpenAiCompatibleProvider(config.providers[0] as any, {
        egress: createEgressFetch([]),
        env: {},
      }),
    ).toThrow(/ABSENT_KEY/);
  });
});

describe('openai-compatible embeddings and models', () => {
  it('embeds in input order, with usage', async () => {
    const { provider } = await setup((_r, res) =>
      sendJson(res, 200, {
        data: [
          { index: 1, embedding: [0, 1, 0] },
          { index: 0, embedding: [1, 0, 0] },
        ],
        usage: { prompt_tokens: 9 },
      }),
    );
    const out = await provider.embeddingModel('e1').embed(['un', 'deux'], live());
    expect(out.promptTokens).toBe(9);
    expect(out.vectors.map((v) => [...v])).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(upstream!.requests[0]).toMatchObject({
      path: '/v1/embeddings',
      body: { model: 'e1', input: ['un', 'deux'] },
    });
  });

  it('refuses a vector count that does not match', async () => {
    const { provider } = await setup((_r, res) => sendJson(res, 200, { data: [{ embedding: [1] }] }));
    const e = await rejection(provider.embeddingModel('e1').embed(['a', 'b'], live()));
    expect(e.code).toBe('upstream_error');
  });

  it('lists upstream models', async () => {
    const { provider } = await setup((_r, res) =>
      sendJson(res, 200, { object: 'list', data: [{ id: 'm1' }, { id: 'e1' }] }),
    );
    expect(await provider.listModels(live())).toEqual(['m1', 'e1']);
    expect(upstream!.requests[0].method).toBe('GET');
  });
});
