import { afterEach, describe, expect, it } from 'vitest';
import { parseProvidersConfig } from './config.js';
import { createModelStack } from './create-model-stack.js';
import type { ChatModel, ChatRequest } from './spec.js';
import {
  chunk,
  completion,
  sendJson,
  sendSse,
  startUpstream,
  type FakeUpstream,
  type Handler,
} from './testing/fake-upstream.js';

const live = () => new AbortController().signal;
const ask = (signal = live()) => ({ messages: [{ role: 'user' as const, content: 'Bonjour' }], signal });
let upstreams: FakeUpstream[] = [];
afterEach(async () => {
  await Promise.all(upstreams.map((u) => u.close()));
  upstreams = [];
});

async function twoUpstreams(
  a: Handler,
  b: Handler = (_r, res) => sendJson(res, 200, completion('de B')),
  timeoutMs = 5000,
) {
  const [ua, ub] = await Promise.all([startUpstream(a), startUpstream(b)]);
  upstreams.push(ua, ub);
  let clock = 1_000_000;
  const config = parseProvidersConfig({
    providers: [
      {
        id: 'a',
        type: 'openai-compatible',
        base_url: ua.baseUrl,
        models: ['m', 'only-a'],
        timeout_ms: timeoutMs,
      },
      { id: 'b', type: 'openai-compatible', base_url: ub.baseUrl, models: ['m'], local: true },
    ],
    models: [
      { id: 'guichet-llm', targets: ['a:m', 'b:m'] },
      { id: 'avec-secours', targets: ['a:m', 'guichet:extractive'] },
    ],
  });
  const stack = createModelStack(config, { breaker: { threshold: 3, openMs: 30_000, now: () => clock } });
  return { ...stack, ua, ub, advance: (ms: number) => (clock += ms) };
}

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('ModelRouter fallback', () => {
  it.each([
    ['500', ((_r, res) => sendJson(res, 500, { error: 'panne' })) as Handler, 5000],
    ['429', ((_r, res) => sendJson(res, 429, { error: 'quota' })) as Handler, 5000],
    ['timeout', (() => new Promise(() => {})) as Handler, 600],
  ])('falls back to the second target on %s', async (_n, failing, timeoutMs) => {
    const { router, ua, ub } = await twoUpstreams(failing, undefined, timeoutMs);
    const r = await router.complete('guichet-llm', ask());
    expect(r.text).toBe('de B');
    expect(r.servedBy).toMatchObject({ provider: 'b', model: 'm', local: true });
    expect([ua.requests.length, ub.requests.length]).toEqual([1, 1]);
  });

  it('falls back when the first upstream refuses connections', async () => {
    const { router, ua } = await twoUpstreams(() => {});
    await ua.close();
    expect((await router.complete('guichet-llm', ask())).servedBy.provider).toBe('b');
  });

  it('does not fall back on a non-retryable error (400) nor on the caller’s abort', async () => {
    const { router, ub } = await twoUpstreams((_r, res) =>
      sendJson(res, 400, { error: { message: 'mauvais' } }),
    );
    expect((await rejection(router.complete('guichet-llm', ask()))).code).toBe('upstream_error');
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(router.complete('guichet-llm', ask(ac.signal)))).name).toBe('AbortError');
    expect(ub.requests).toHaveLength(0);
  });

  it('streams from the second target when the first fails before any token', async () => {
    const { router, ub } = await twoUpstreams(
      (_r, res) => sendJson(res, 503, {}),
      (_r, res) => sendSse(res, [chunk('Bon'), chunk('jour', 'stop'), '[DONE]']),
    );
    const out: unknown[] = [];
    for await (const d of router.stream('guichet-llm', ask())) out.push(d);
    expect(out.slice(0, 2)).toEqual([
      { type: 'text', text: 'Bon' },
      { type: 'text', text: 'jour' },
    ]);
    expect(out[2]).toMatchObject({ type: 'finish', finishReason: 'stop', servedBy: { provider: 'b' } });
    expect(ub.requests).toHaveLength(1);
  });

  it('never falls back once a token has reached the caller', async () => {
    const { router, ub } = await twoUpstreams((_r, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunk('Bon')}\n\n`);
      setTimeout(() => res.destroy(), 30);
    });
    const got: string[] = [];
    const e = await rejection(
      (async () => {
        for await (const d of router.stream('guichet-llm', ask())) if (d.type === 'text') got.push(d.text);
      })(),
    );
    expect(got).toEqual(['Bon']);
    expect(e.code).toBe('upstream_error');
    expect(ub.requests).toHaveLength(0);
  });

  it('embeds through the chain', async () => {
    const { router } = await twoUpstreams(
      (_r, res) => sendJson(res, 502, {}),
      (_r, res) => sendJson(res, 200, { data: [{ embedding: [0.5, 0.5] }] }),
    );
    const r = await router.embed('guichet-llm', ['texte'], live());
    expect([...r.vectors[0]]).toEqual([0.5, 0.5]);
    expect(r.servedBy.provider).toBe('b');
  });
});

describe('ModelRouter circuit breaker', () => {
  it('opens after 3 failures, skips the target, then lets one half-open probe through', async () => {
    let aHealthy = false;
    const { router, ua, ub, advance } = await twoUpstreams((_r, res) =>
      aHealthy ? sendJson(res, 200, completion('de A')) : sendJson(res, 500, {}),
    );
    for (let i = 0; i < 3; i++) expect((await router.complete('guichet-llm', ask())).text).toBe('de B');
    expect(router.breakerState('a:m')).toBe('open');
    await router.complete('guichet-llm', ask());
    expect(ua.requests).toHaveLength(3); // skipped while open
    expect(ub.requests).toHaveLength(4);

    advance(30_000);
    expect(router.breakerState('a:m')).toBe('half-open');
    await router.complete('guichet-llm', ask()); // probe fails → open again
    expect(ua.requests).toHaveLength(4);
    expect(router.breakerState('a:m')).toBe('open');
    await router.complete('guichet-llm', ask());
    expect(ua.requests).toHaveLength(4);

    advance(30_000);
    aHealthy = true;
    expect((await router.complete('guichet-llm', ask())).text).toBe('de A'); // probe succeeds → closed
    expect(router.breakerState('a:m')).toBe('closed');
  });

  it('answers 503 with Retry-After when every target is open', async () => {
    const { router, advance } = await twoUpstreams((_r, res) => sendJson(res, 500, {}));
    for (let i = 0; i < 3; i++) await rejection(router.complete('a:m', ask()));
    advance(10_000);
    const e = await rejection(router.complete('a:m', ask()));
    expect([e.code, e.status, e.headers['Retry-After']]).toEqual(['service_unavailable', 503, '20']);
  });
});

describe('ModelRouter resolution and listing', () => {
  const extractive: ChatModel = {
    id: 'extractive',
    provider: 'guichet',
    local: true,
    complete: async (req: ChatRequest) => ({
      text: `extrait (${req.model})`,
      finishReason: 'stop',
      usage: { promptTokens: 0, completionTokens: 0 },
    }),
    async *stream() {
      yield { type: 'text', text: 'extrait' };
    },
  };

  it('resolves aliases, provider:model and unique plain ids; refuses unknown and ambiguous ids', async () => {
    const { router } = await twoUpstreams((_r, res) => sendJson(res, 200, completion('de A')));
    expect(router.resolve('guichet-llm').map((t) => t.key)).toEqual(['a:m', 'b:m']);
    expect(router.resolve('b:m').map((t) => t.key)).toEqual(['b:m']);
    expect(router.resolve('only-a').map((t) => t.key)).toEqual(['a:only-a']);
    const unknown = await rejection(router.complete('gpt-17', ask()));
    expect([unknown.code, unknown.status, unknown.param]).toEqual(['model_not_found', 404, 'model']);
    const ambiguous = await rejection(router.complete('m', ask()));
    expect(ambiguous.code).toBe('invalid_request');
    expect(ambiguous.message).toContain('a:m, b:m');
    expect(router.isLocal('b:m')).toBe(true);
    expect(router.isLocal('guichet-llm')).toBe(false);
  });

  it('serves a registered built-in model, alone or as the last resort of an alias', async () => {
    const { router, ua } = await twoUpstreams((_r, res) => sendJson(res, 500, {}));
    expect(() => router.resolve('extractive')).toThrow(/n’existe pas/);
    router.register(extractive);
    expect((await router.complete('extractive', ask())).text).toBe('extrait (extractive)');
    const r = await router.complete('avec-secours', ask());
    expect([r.servedBy.key, ua.requests.length]).toEqual(['guichet:extractive', 1]);
    const streamed: unknown[] = [];
    for await (const d of router.stream('extractive', ask())) streamed.push(d);
    expect(streamed.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: 'stop',
      servedBy: { key: 'guichet:extractive' },
    });
  });

  it('lists aliases and models with their provider and local flag', async () => {
    const { router } = await twoUpstreams(() => {});
    router.register(extractive);
    expect(router.list()).toEqual([
      { id: 'guichet-llm', provider: 'guichet', local: false, kind: 'alias', targets: ['a:m', 'b:m'] },
      {
        id: 'avec-secours',
        provider: 'guichet',
        local: false,
        kind: 'alias',
        targets: ['a:m', 'guichet:extractive'],
      },
      { id: 'a:m', provider: 'a', local: false, kind: 'model' },
      { id: 'only-a', provider: 'a', local: false, kind: 'model' },
      { id: 'b:m', provider: 'b', local: true, kind: 'model' },
      { id: 'extractive', provider: 'guichet', local: true, kind: 'model' },
    ]);
  });
});
