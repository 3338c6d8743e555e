/**
 * The official `openai` npm client against a real `guichet serve` process on loopback, with the
 * whole built-in corpus, the `extractive` model, and a scripted OpenAI-compatible upstream that
 * serves one chat model and one embedding model.
 */
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunk, sendSse, startUpstream, type FakeUpstream } from '../../src/models/testing/fake-upstream.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { copyCorpus } from '../helpers/corpus.js';
import { createTestKey } from '../helpers/accounts.js';
import { runCli } from '../helpers/cli.js';
import { startServer, type RunningServer } from '../helpers/server.js';

let upstream: FakeUpstream;
let server: RunningServer;
let client: OpenAI;
let key: string;
let dataDir: string;
let configPath: string;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    if (req.path.endsWith('/embeddings')) {
      const inputs: string[] = Array.isArray(req.body.input) ? req.body.input : [req.body.input];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: inputs.map((t, index) => ({ object: 'embedding', index, embedding: [t.length, 1, 0.5] })),
          model: 'echo-embed',
          usage: { prompt_tokens: inputs.length * 3, total_tokens: inputs.length * 3 },
        }),
      );
      return;
    }
    const last = req.body.messages[req.body.messages.length - 1].content;
    if (last === 'attente') return; // never answers: the client gives up first
    if (last === 'flux court') {
      return void sendSse(res, [
        chunk('Bon'),
        chunk('jour « ici »'),
        JSON.stringify({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 2 } }),
        chunk(null, 'stop'),
        '[DONE]',
      ]);
    }
    if (last === 'flux en panne') {
      return void sendSse(res, [chunk('Début'), JSON.stringify({ error: { message: 'panne' } })]);
    }
    if (last === 'flux lent') {
      return void sendSse(
        res,
        Array.from({ length: 200 }, (_, i) => chunk(`t${i} `)),
        20,
      );
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'echo-chat',
        choices: [
          { index: 0, message: { role: 'assistant', content: `Écho : ${last}` }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      }),
    );
  });
  dataDir = await copyCorpus();
  const store = openSqliteStore(dataDir);
  key = await createTestKey(store, { orgId: 'default', role: 'admin' });
  await store.close();
  const config = join(dataDir, 'guichet.yaml');
  writeFileSync(
    config,
    `providers:\n  - id: loopback\n    type: openai-compatible\n    base_url: ${upstream.baseUrl}\n    models: [echo-chat, echo-embed]\n    local: true\n`,
  );
  configPath = config;
  server = await startServer({ GUICHET_DATA_DIR: dataDir, GUICHET_CONFIG: config });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });
}, 400_000);

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe('OpenAI client against guichet serve', () => {
  it('a client that goes away closes the upstream connection (answer awaited, stream under way)', async () => {
    for (const [content, stream] of [
      ['attente', false],
      ['flux lent', true],
    ] as const) {
      const closed = upstream.nextEarlyClose();
      const ac = new AbortController();
      const pending = fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'echo-chat', stream, messages: [{ role: 'user', content }] }),
        signal: ac.signal,
      });
      if (stream) {
        const reader = (await pending).body!.getReader();
        await reader.read();
        ac.abort();
        await reader.closed.catch(() => null);
      } else {
        setTimeout(() => ac.abort(), 300);
        await pending.catch(() => null);
      }
      await closed;
    }
  });

  it('relays a plain model’s stream in OpenAI chunks, records its usage, and ends an upstream failure with an error event', async () => {
    const events = async (content: string) => {
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'echo-chat',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content }],
        }),
      });
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      expect(res.headers.get('x-request-id')).toBeTruthy();
      const raw = await res.text();
      expect(raw.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
      return raw
        .split('\n\n')
        .filter((e) => e && e !== 'data: [DONE]')
        .map((e) => e.replace(/^data: /, ''));
    };
    /** The exact bytes of a text chunk of the stream that began with `head`. */
    const textChunk = (head: string, content: string) =>
      JSON.stringify({
        id: JSON.parse(head).id,
        object: 'chat.completion.chunk',
        created: JSON.parse(head).created,
        model: 'echo-chat',
        choices: [{ index: 0, delta: { content }, finish_reason: null }],
      });
    const ok = await events('flux court');
    const first = JSON.parse(ok[0]);
    expect(first.choices).toEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null },
    ]);
    expect(ok.slice(1, 3)).toEqual([textChunk(ok[0], 'Bon'), textChunk(ok[0], 'jour « ici »')]);
    expect(JSON.parse(ok[3]).choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    const last = JSON.parse(ok[4]);
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
    expect(last.guichet).toMatchObject({ ai_generated: true, model: 'loopback:echo-chat' });
    expect(ok).toHaveLength(5);
    // The usage row of the stream (written once it ended; read through the store, which flushes).
    await expect
      .poll(async () => {
        const r = await fetch(`${server.url}/v1/usage?limit=50`, {
          headers: { authorization: `Bearer ${key}` },
        });
        const body = (await r.json()) as {
          data: { model: string | null; prompt_tokens: number; ttft_ms: number | null }[];
        };
        return body.data.find((u) => u.model === 'loopback:echo-chat' && u.prompt_tokens === 9) ?? null;
      })
      .toMatchObject({ completion_tokens: 2, status: 200, ttft_ms: expect.any(Number) });

    const failed = await events('flux en panne');
    expect(failed[1]).toBe(textChunk(failed[0], 'Début'));
    expect(JSON.parse(failed[2])).toEqual({
      error: {
        message: 'Le fournisseur « loopback » a interrompu la génération.',
        type: expect.any(String),
        param: null,
        code: 'upstream_error',
      },
    });
    expect(failed).toHaveLength(3);
  });

  it('lists and retrieves models', async () => {
    const models = await client.models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['guichet', 'extractive', 'echo-chat']));
    const one = await client.models.retrieve('guichet');
    expect(one.id).toBe('guichet');
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers with model guichet, grounded in service-public.fr, with citations', async () => {
    const r = await client.chat.completions.create({
      model: 'guichet',
      messages: [{ role: 'user', content: 'Comment renouveler une carte nationale d’identité périmée ?' }],
    });
    const content = r.choices[0].message.content ?? '';
    expect(content).toMatch(/\[\d\]/);
    const citations = (r as unknown as { citations: { url: string; cited: boolean; date: string | null }[] })
      .citations;
    const cited = citations.filter((c) => c.cited);
    expect(cited.length).toBeGreaterThan(0);
    expect(cited[0].url).toMatch(/^https:\/\/www\.service-public\.gouv\.fr\//);
    expect((r as unknown as { guichet: { ai_generated: boolean } }).guichet.ai_generated).toBe(true);
    expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + r.usage!.completion_tokens);
  });

  it('streams in OpenAI chunks, citations in a final chunk, usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'guichet',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'allocation de rentrée scolaire montant' }],
    });
    let text = '';
    let citations: unknown[] | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      const extra = chunk as unknown as { citations?: unknown[] };
      if (extra.citations) citations = extra.citations;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(50);
    expect(finish).toBe('stop');
    expect(citations?.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('says it found nothing rather than inventing', async () => {
    const r = await client.chat.completions.create({
      model: 'guichet',
      messages: [{ role: 'user', content: 'quel temps va-t-il faire demain à Lille ?' }],
    });
    expect(r.choices[0].message.content).toContain("Je n'ai pas trouvé de source officielle");
    expect((r as unknown as { citations: unknown[] }).citations).toEqual([]);
  });

  it('passes a plain model through, and opts it in to retrieval with the guichet field', async () => {
    const plain = await client.chat.completions.create({
      model: 'echo-chat',
      messages: [{ role: 'user', content: 'bonjour' }],
    });
    expect(plain.choices[0].message.content).toBe('Écho : bonjour');
    expect(plain.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 });
    const before = upstream.requests.length;
    const grounded = await client.chat.completions.create({
      model: 'echo-chat',
      messages: [{ role: 'user', content: 'carte grise changement adresse' }],
      // @ts-expect-error extension field
      guichet: { search: { k: 3 } },
    });
    const sent = upstream.requests[before].body.messages[0].content as string;
    expect(sent).toContain('[1]');
    expect(sent).toContain('service-public.fr');
    expect((grounded as unknown as { citations: unknown[] }).citations).toHaveLength(3);
  });

  it('computes embeddings through a configured provider', async () => {
    const r = await client.embeddings.create({ model: 'echo-embed', input: ['abc', 'de'] });
    expect(r.data.map((d) => d.embedding)).toEqual([
      [3, 1, 0.5],
      [2, 1, 0.5],
    ]);
    expect(r.usage.prompt_tokens).toBe(6);
  });

  it('answers errors in OpenAI’s shape: bad model, bad body, too large body', async () => {
    await expect(
      client.chat.completions.create({ model: 'inconnu', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(
      // @ts-expect-error deliberately wrong body
      client.chat.completions.create({ model: 'guichet', messages: 'pas une liste' }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(
      client.chat.completions.create({
        model: 'guichet',
        messages: [{ role: 'user', content: 'x'.repeat(2_000_000) }],
      }),
    ).rejects.toMatchObject({ status: 413 });
    const raw = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{"model": "guichet", ',
    });
    expect(raw.status).toBe(400);
    const body = await raw.json();
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    const wrongType = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'guichet', messages: 'pas une liste' }),
    });
    expect(wrongType.status).toBe(400);
    const wrong = (await wrongType.json()) as { error: { message: string; param: string } };
    expect(wrong.error.param).toBe('messages');
    expect(wrong.error.message).toMatch(/^Requête invalide \(messages\) : Entrée invalide/);
    expect(raw.headers.get('x-request-id')).toBeTruthy();
  });

  it('a second serve on a port already taken exits 1 with one French line, the first one unharmed', () => {
    const port = new URL(server.url).port;
    const r = runCli(
      ['serve', '--port', port],
      { GUICHET_DATA_DIR: dataDir, GUICHET_CONFIG: configPath },
      60_000,
    );
    expect(r.status).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('Erreur'));
    expect(errors).toEqual([
      `Erreur : le port 127.0.0.1:${port} est déjà utilisé par un autre programme : choisissez-en un autre avec --port ou la variable PORT.`,
    ]);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  }, 90_000);

  it('the first server still answers after that', async () => {
    // On a new connection: the synchronous run above blocks this process's event loop, on a loaded
    // machine longer than the server's keep-alive (5 s), so a pooled socket may be closed already.
    const status = await new Promise<number>((resolve, reject) =>
      get(`${server.url}/health`, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject),
    );
    expect(status).toBe(200);
  });
});
