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
