import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.js';
import { createEgressFetch } from './http-client.js';
import { startUpstream, type FakeUpstream } from './testing/fake-upstream.js';

let upstream: FakeUpstream | undefined;
afterEach(() => upstream?.close());

describe('egress-controlled fetch', () => {
  it('lets declared origins through, counts them, and reports each request', async () => {
    upstream = await startUpstream((_r, res) => res.end('ok'));
    const seen: unknown[] = [];
    const egress = createEgressFetch([`${upstream.origin}/v1`], (info) => seen.push(info));
    expect(await (await egress(`${upstream.origin}/v1/models`)).text()).toBe('ok');
    await egress(new URL(`${upstream.origin}/health`));
    expect(egress.stats().requests).toEqual({ [upstream.origin]: 2 });
    expect(seen).toEqual([
      { origin: upstream.origin, path: '/v1/models' },
      { origin: upstream.origin, path: '/health' },
    ]);
  });

  it('refuses an undeclared host, port or scheme without sending anything', async () => {
    upstream = await startUpstream((_r, res) => res.end('ok'));
    const other = await startUpstream((_r, res) => res.end('fuite'));
    try {
      const egress = createEgressFetch([upstream.origin]);
      for (const url of [
        `${other.origin}/v1`,
        'https://api.openai.com/v1/chat/completions',
        'file:///etc/passwd',
        'pas une url',
      ]) {
        const e = await egress(url).catch((err: unknown) => err);
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).code).toBe('egress_refused');
        expect((e as AppError).status).toBe(403);
      }
      expect(other.requests).toHaveLength(0);
      expect(egress.stats().refused[other.origin]).toBe(1);
      expect(egress.stats().requests).toEqual({});
    } finally {
      await other.close();
    }
  });

  it('does not follow a redirect to an undeclared origin', async () => {
    const elsewhere = await startUpstream((_r, res) => res.end('fuite'));
    try {
      upstream = await startUpstream((_r, res) => {
        res.writeHead(302, { location: `${elsewhere.origin}/collect` });
        res.end();
      });
      const egress = createEgressFetch([upstream.origin]);
      const res = await egress(`${upstream.origin}/v1/models`);
      expect(res.status).toBe(302);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('refuses an invalid allow-list at construction', () => {
    expect(() => createEgressFetch(['pas une origine'])).toThrow(/Origine réseau invalide/);
  });
});

describe('egress-controlled request (node:http, keep-alive)', () => {
  const live = () => new AbortController().signal;

  it('sends the body with its length, reuses the connection, counts and reports each request', async () => {
    upstream = await startUpstream((r, res) => res.end(`${r.method} ${r.headers['content-length']}`));
    const seen: unknown[] = [];
    const egress = createEgressFetch([upstream.origin], (info) => seen.push(info));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = `${upstream.origin}/v1/chat/completions`;
      const first = await egress.request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"é":1}',
        signal: live(),
        agent,
      });
      const socket = first.body.socket;
      expect([first.status, await first.text()]).toEqual([200, 'POST 8']);
      const second = await egress.request(url, { method: 'GET', headers: {}, signal: live(), agent });
      expect(second.body.socket).toBe(socket);
      expect(await second.text()).toBe('GET undefined');
      expect(egress.stats().requests).toEqual({ [upstream.origin]: 2 });
      expect(seen).toEqual([
        { origin: upstream.origin, path: '/v1/chat/completions' },
        { origin: upstream.origin, path: '/v1/chat/completions' },
      ]);
    } finally {
      agent.destroy();
    }
  });

  it('refuses an undeclared origin without sending anything, and never follows a redirect', async () => {
    const elsewhere = await startUpstream((_r, res) => res.end('fuite'));
    try {
      upstream = await startUpstream((_r, res) => {
        res.writeHead(307, { location: `${elsewhere.origin}/collect` });
        res.end();
      });
      const egress = createEgressFetch([upstream.origin]);
      for (const url of [`${elsewhere.origin}/v1`, 'file:///etc/passwd', 'pas une url']) {
        const e = await egress.request(url, { method: 'GET', headers: {}, signal: live() }).catch((x) => x);
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).code).toBe('egress_refused');
      }
      const res = await egress.request(`${upstream.origin}/v1/models`, {
        method: 'POST',
        headers: {},
        body: '{}',
        signal: live(),
      });
      expect(res.status).toBe(307);
      await res.text();
      expect(elsewhere.requests).toHaveLength(0);
      expect(egress.stats().refused).toEqual({ [elsewhere.origin]: 1, invalide: 2 });
    } finally {
      await elsewhere.close();
    }
  });

  it('an abort closes the connection before the answer and while the body is read', async () => {
    upstream = await startUpstream((_r, res) => {
      if (upstream!.requests.length === 2) res.write('début');
    });
    const egress = createEgressFetch([upstream.origin]);
    const ac = new AbortController();
    const closed = upstream.nextEarlyClose();
    const pending = egress.request(upstream.origin, { method: 'GET', headers: {}, signal: ac.signal });
    setTimeout(() => ac.abort(new DOMException('Requête annulée', 'AbortError')), 50);
    expect(await pending.catch((e: unknown) => (e as Error).name)).toBe('AbortError');
    await closed;

    const ac2 = new AbortController();
    const res = await egress.request(upstream.origin, { method: 'GET', headers: {}, signal: ac2.signal });
    const closed2 = upstream.nextEarlyClose();
    const body = res.text();
    setTimeout(() => ac2.abort(), 50);
    await expect(body).rejects.toBeInstanceOf(Error);
    await closed2;
    expect(upstream.closedEarly).toBe(2);
  });

  it('reads a body chunk by chunk, holding the rest while the reader is behind', async () => {
    const parts = Array.from({ length: 50 }, (_, i) => `morceau ${i} ${'x'.repeat(4000)}|`);
    upstream = await startUpstream(async (_r, res) => {
      for (const p of parts) {
        res.write(p);
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    const egress = createEgressFetch([upstream.origin]);
    const res = await egress.request(upstream.origin, { method: 'GET', headers: {}, signal: live() });
    let text = '';
    for await (const chunk of res.chunks()) {
      text += chunk.toString('utf8');
      await new Promise((r) => setTimeout(r, 2)); // a slow reader
    }
    expect(text).toBe(parts.join(''));
  });

  it('a body cut before its end fails; a reader that stops leaves the body to be drained', async () => {
    upstream = await startUpstream((r, res) => {
      res.write('début');
      if (r.path === '/coupe') setTimeout(() => res.destroy(), 20);
      else setTimeout(() => res.end('fin'), 20);
    });
    const egress = createEgressFetch([upstream.origin]);
    const cut = await egress.request(`${upstream.origin}/coupe`, {
      method: 'GET',
      headers: {},
      signal: live(),
    });
    const read = async () => {
      for await (const chunk of cut.chunks()) void chunk;
    };
    await expect(read()).rejects.toBeInstanceOf(Error);

    const whole = await egress.request(`${upstream.origin}/entier`, {
      method: 'GET',
      headers: {},
      signal: live(),
    });
    for await (const chunk of whole.chunks()) {
      expect(chunk.toString()).toBe('début');
      break;
    }
    whole.body.resume();
    await new Promise((r) => whole.body.once('end', r));
    expect(whole.body.complete).toBe(true);
  });
});
