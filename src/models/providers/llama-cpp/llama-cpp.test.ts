import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProvidersConfig, type LlamaCppProviderConfig } from '../../config.js';
import type { ChatDelta } from '../../spec.js';
import { writeTinyGguf } from '../../testing/tiny-gguf.js';
import { createLlamaCppProvider } from './index.js';

// Real GGUFs: one written by the test itself (always there), and any other named by GUICHET_TEST_GGUF
// (for example a downloaded tiny random llama), which runs the same cases.
const GENERATED = join(mkdtempSync(join(tmpdir(), 'guichet-gguf-')), 'tiny.gguf');
writeTinyGguf(GENERATED);
const EXTRA = process.env.GUICHET_TEST_GGUF ?? '';
if (!EXTRA) console.warn('llama-cpp: variante « GGUF externe » ignorée (GUICHET_TEST_GGUF non défini)');

const config = (extra: Record<string, unknown> = {}) =>
  parseProvidersConfig({
    providers: [
      {
        id: 'local',
        type: 'llama-cpp',
        model_path: GENERATED,
        models: ['tiny'],
        threads: 2,
        context_size: 1024,
        embedding: true,
        ...extra,
      },
    ],
  }).providers[0] as LlamaCppProviderConfig;

const messages = [
  { role: 'system' as const, content: 'Tu réponds en français.' },
  { role: 'user' as const, content: 'Bonjour' },
  { role: 'assistant' as const, content: 'Bonjour !' },
  { role: 'user' as const, content: 'Comment obtenir un passeport ?' },
];

describe.each([
  ['generated', GENERATED],
  ['external', EXTRA],
])('llama-cpp provider (%s tiny random GGUF)', (_name, modelPath) => {
  if (!modelPath || !existsSync(modelPath))
    return void it.skip(`absent: ${modelPath || 'GUICHET_TEST_GGUF'}`);
  const provider = createLlamaCppProvider(config({ model_path: modelPath }));
  const chat = provider.chatModel('tiny');
  afterAll(() => provider.dispose());

  it('completes with real token counts, deterministically with a seed', async () => {
    const req = {
      model: 'tiny',
      messages,
      max_tokens: 8,
      temperature: 0,
      seed: 1,
      signal: new AbortController().signal,
    };
    const a = await chat.complete(req);
    expect(chat.local).toBe(true);
    expect(a.text.length).toBeGreaterThan(0);
    expect(a.finishReason).toBe('length');
    expect(a.usage.completionTokens).toBe(8);
    expect(a.usage.promptTokens).toBeGreaterThan(10);
    const b = await chat.complete(req);
    expect(b.text).toBe(a.text);
  });

  it('streams chunks that add up to the text, then one finish', async () => {
    const deltas: ChatDelta[] = [];
    for await (const d of chat.stream({
      model: 'tiny',
      messages,
      max_tokens: 6,
      temperature: 0,
      signal: new AbortController().signal,
    }))
      deltas.push(d);
    const last = deltas.at(-1)!;
    expect(last.type).toBe('finish');
    expect(deltas.filter((d) => d.type === 'finish')).toHaveLength(1);
    expect(deltas.filter((d) => d.type === 'text').length).toBeGreaterThan(1);
    if (last.type === 'finish') expect(last.usage.completionTokens).toBe(6);
  });

  it('stops on abort mid-stream, then still serves the next request', async () => {
    const ac = new AbortController();
    let texts = 0;
    const err = await (async () => {
      try {
        for await (const d of chat.stream({ model: 'tiny', messages, max_tokens: 200, signal: ac.signal })) {
          if (d.type === 'text' && ++texts === 2) ac.abort();
        }
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.name).toBe('AbortError');
    expect(texts).toBeLessThan(10);
    const next = await chat.complete({
      model: 'tiny',
      messages,
      max_tokens: 3,
      signal: new AbortController().signal,
    });
    expect(next.usage.completionTokens).toBe(3);
  });

  it('embeds with a fixed dimension, empty text included', async () => {
    const emb = provider.embeddingModel('tiny');
    const out = await emb.embed(['carte grise', 'allocations familiales', ''], new AbortController().signal);
    expect(out.vectors).toHaveLength(3);
    expect(emb.dimensions).toBe(out.vectors[0].length);
    expect(out.vectors.every((v) => v.length === emb.dimensions && v.every(Number.isFinite))).toBe(true);
    expect(out.vectors[0]).not.toEqual(out.vectors[1]);
    expect(out.promptTokens).toBeGreaterThan(3);
  });

  it('turns a system prompt larger than the context into a clean upstream_error', async () => {
    const long = [
      { role: 'system' as const, content: 'passeport '.repeat(1500) },
      { role: 'user' as const, content: 'Bonjour' },
    ];
    await expect(
      chat.complete({ model: 'tiny', messages: long, max_tokens: 4, signal: new AbortController().signal }),
    ).rejects.toMatchObject({
      code: 'upstream_error',
      status: 502,
    });
    const next = await chat.complete({
      model: 'tiny',
      messages,
      max_tokens: 2,
      signal: new AbortController().signal,
    });
    expect(next.usage.completionTokens).toBe(2);
  });

  it('refuses a conversation ending on the assistant', async () => {
    await expect(
      chat.complete({ model: 'tiny', messages: messages.slice(0, 3), signal: new AbortController().signal }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});

describe('llama-cpp provider without its file', () => {
  it('is a retryable service_unavailable, not a crash', async () => {
    const provider = createLlamaCppProvider(config({ model_path: '/nonexistent/model.gguf' }));
    await expect(
      provider.chatModel('tiny').complete({ model: 'tiny', messages, signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: 'service_unavailable', isRetryable: true });
  });
});
