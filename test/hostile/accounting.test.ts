/**
 * Exact accounting of streams that end early (issue 18): a client that stops reading before the
 * end, an upstream that fails mid-stream — each stream leaves one usage row with the tokens
 * produced, and they count against the token quota (20 aborted streams: 20 rows with tokens).
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';
import { startRecordingUpstream, type RecordingUpstream } from '../privacy/recording-upstream.js';

let app: RunningApp;
let upstream: RecordingUpstream;
let mode: 'slow' | 'break' = 'slow';

/** Streams 200 one-word pieces, 5 ms apart (or breaks the connection after 10 in `break` mode). */
async function slowStream(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let i = 0; i < 200; i++) {
    if (res.destroyed) return;
    if (mode === 'break' && i === 10) {
      res.destroy();
      return;
    }
    res.write(
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `mot${i} ` }, finish_reason: null }] })}\n\n`,
    );
    await new Promise((r) => setTimeout(r, 5));
  }
  res.write(
    `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 20, completion_tokens: 200 } })}\n\n`,
  );
  res.end('data: [DONE]\n\n');
}

beforeAll(async () => {
  upstream = await startRecordingUpstream((_b, res) => slowStream(res));
  app = await startTestApp({
    config: {
      providers: [{ id: 'amont', type: 'openai-compatible', base_url: upstream.baseUrl, models: ['m1'] }],
      accounts: { max_concurrent: { key: 2, org: 3 } },
    },
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await upstream?.close();
});

/** Starts a stream, reads until `pieces` text chunks arrived, then goes away. */
async function abortedStream(key: string, pieces: number): Promise<void> {
  const controller = new AbortController();
  const res = await fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: bearer(key),
    body: JSON.stringify({
      model: 'amont:m1',
      stream: true,
      messages: [{ role: 'user', content: 'Bonjour' }],
    }),
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let seen = 0;
  const decoder = new TextDecoder();
  while (seen < pieces) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += (decoder.decode(value).match(/mot\d+/g) ?? []).length;
  }
  controller.abort();
  await reader.cancel().catch(() => undefined);
}

async function usageRows(key: string) {
  const res = await fetch(`${app.url}/v1/usage?limit=1000`, { headers: bearer(key) });
  return ((await res.json()) as any).data.filter((r: any) => r.endpoint === 'POST /v1/chat/completions');
}

describe('streams that end early', () => {
  it('20 streams cut by their client leave 20 usage rows with the tokens produced', async () => {
    mode = 'slow';
    const key = await createTestKey(app.services.store, { orgId: 'org-flux', role: 'developer' });
    for (let i = 0; i < 20; i++) await abortedStream(key, 20);
    // The server sees the disconnection asynchronously: wait for the 20 rows.
    let rows: any[] = [];
    for (let t = 0; t < 100 && rows.length < 20; t++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await usageRows(key);
    }
    expect(rows).toHaveLength(20);
    for (const r of rows) {
      expect(r.completion_tokens).toBeGreaterThanOrEqual(20);
      expect(r.completion_tokens).toBeLessThan(200);
      expect(r.prompt_tokens).toBeGreaterThan(0);
      expect(r.status).toBe(499);
    }
  });

  it('the tokens of cut streams count against the token quota', async () => {
    mode = 'slow';
    const key = await createTestKey(app.services.store, { orgId: 'org-quota', role: 'admin' });
    const set = await fetch(`${app.url}/v1/quotas`, {
      method: 'PUT',
      headers: bearer(key),
      body: JSON.stringify({ tokens_per_day: 60 }),
    });
    expect(set.status).toBe(200);
    let refused: Response | null = null;
    for (let i = 0; i < 6 && !refused; i++) {
      const r = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: bearer(key),
        body: JSON.stringify({
          model: 'amont:m1',
          stream: true,
          messages: [{ role: 'user', content: 'Bonjour' }],
        }),
      });
      if (r.status === 429) refused = r;
      else {
        await r.body!.cancel();
        await abortedStream(key, 25);
        await new Promise((res) => setTimeout(res, 300));
      }
    }
    expect(refused?.status).toBe(429);
  });

  it('a stream broken by the upstream is charged what it produced', async () => {
    mode = 'break';
    const key = await createTestKey(app.services.store, { orgId: 'org-panne', role: 'developer' });
    const res = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({
        model: 'amont:m1',
        stream: true,
        messages: [{ role: 'user', content: 'Bonjour' }],
      }),
    });
    await res.text();
    let rows: any[] = [];
    for (let t = 0; t < 50 && rows.length < 1; t++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await usageRows(key);
    }
    expect(rows).toHaveLength(1);
    expect(rows[0].completion_tokens).toBeGreaterThanOrEqual(10);
  });
});

describe('max_concurrent', () => {
  const open = (key: string) =>
    fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({
        model: 'amont:m1',
        stream: true,
        messages: [{ role: 'user', content: 'Bonjour' }],
      }),
    });

  it('refuses a key’s third simultaneous call and an organisation’s fourth with 429 and Retry-After', async () => {
    mode = 'slow';
    const k1 = await createTestKey(app.services.store, { orgId: 'org-simultane', role: 'developer' });
    const k2 = await createTestKey(app.services.store, { orgId: 'org-simultane', role: 'developer' });
    const other = await createTestKey(app.services.store, { orgId: 'org-voisine', role: 'developer' });
    const a = [await open(k1), await open(k1)];
    expect(a.map((r) => r.status)).toEqual([200, 200]);
    const third = await open(k1);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(((await third.json()) as any).error.message).toMatch(/simultanés/);
    // Another key of the organisation: within the organisation's 3, then refused.
    const b = await open(k2);
    expect(b.status).toBe(200);
    expect((await open(k2)).status).toBe(429);
    // Another organisation is not concerned.
    const c = await open(other);
    expect(c.status).toBe(200);
    // Once the streams are over, the key may call again.
    await Promise.all([...a, b, c].map((r) => r.text()));
    await new Promise((r) => setTimeout(r, 50));
    const again = await open(k1);
    expect(again.status).toBe(200);
    await again.text();
  });
});
