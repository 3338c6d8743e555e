/**
 * Quotas count model and search calls only: the screen's own reads (who am I, history, a
 * conversation, the quota screen) are neither limited nor recorded. `guichet quotas set|clear`
 * repairs limits from the command line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';
import { runCli } from '../helpers/cli.js';

let app: RunningApp;
let admin: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await createTestKey(app.services.store, { role: 'admin', name: 'admin' });
});
afterAll(() => app?.close());

const get = (path: string, key: string) => fetch(`${app.url}${path}`, { headers: bearer(key) });
const keyIdOf = async (key: string) =>
  ((await (await get('/v1/me', key)).json()) as { key: { id: string } }).key.id;
const setKeyLimit = (keyId: string, perMinute: number) =>
  fetch(`${app.url}/v1/quotas`, {
    method: 'PUT',
    headers: bearer(admin),
    body: JSON.stringify({ key_id: keyId, requests_per_minute: perMinute }),
  });

/** Waits for a fresh minute window when the current one ends in less than `ms`. */
async function roomInMinute(ms: number) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < ms) await new Promise((r) => setTimeout(r, left + 50));
}

/** What the web UI does around one question: its reads, the question, the history refresh. */
async function screenQuestion(key: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (const path of ['/v1/me', '/v1/conversations?limit=100', '/v1/models'])
    statuses.push((await get(path, key)).status);
  const asked = await fetch(`${app.url}/v1/conversations/new/messages`, {
    method: 'POST',
    headers: bearer(key),
    body: JSON.stringify({ content: `Question ${n} : comment renouveler un passeport ?` }),
  });
  statuses.push(asked.status);
  const text = await asked.text();
  const conv = /"conversation_id":"([^"]+)"/.exec(text)?.[1];
  statuses.push((await get('/v1/conversations?limit=100', key)).status);
  if (conv) statuses.push((await get(`/v1/conversations/${conv}`, key)).status);
  return statuses;
}

describe('quotas bill model and search calls only', () => {
  it('an advisor at 30 requests per minute asks 25 questions in a minute without a 429 from screen reads', async () => {
    const advisor = await createTestKey(app.services.store, { role: 'agent', name: 'conseillère' });
    const id = await keyIdOf(advisor);
    expect((await setKeyLimit(id, 30)).status).toBe(200);
    await roomInMinute(25_000);
    const all: number[] = [];
    for (let i = 0; i < 25; i++) all.push(...(await screenQuestion(advisor, i)));
    expect(all.length).toBeGreaterThanOrEqual(25 * 5);
    expect(all.filter((s) => s === 429)).toEqual([]);
    expect(all.every((s) => s === 200)).toBe(true);
    // The limit still holds for what is billed: 5 more searches fit, the 31st call does not.
    const search = () =>
      fetch(`${app.url}/v1/search`, {
        method: 'POST',
        headers: bearer(advisor),
        body: JSON.stringify({ query: 'passeport', k: 1 }),
      });
    for (let i = 0; i < 5; i++) expect((await search()).status).toBe(200);
    const refused = await search();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
    // Screen reads still work once the quota is spent.
    expect((await get('/v1/conversations?limit=100', advisor)).status).toBe(200);
    // Usage holds the 30 billed calls, not the navigation.
    const usage = await app.services.store.accounts.usage.list({ orgId: 'default', limit: 1000 });
    const mine = usage.filter((r) => r.keyId === id);
    expect(mine).toHaveLength(30);
    expect(new Set(mine.map((r) => r.endpoint))).toEqual(
      new Set(['POST /v1/conversations/:id/messages', 'POST /v1/search']),
    );
  }, 120_000);

  it('never locks an admin out of the quota screen', async () => {
    const other = await createTestKey(app.services.store, { orgId: 'mairie', role: 'admin', name: 'chef' });
    await roomInMinute(10_000);
    const put = await fetch(`${app.url}/v1/quotas`, {
      method: 'PUT',
      headers: bearer(other),
      body: JSON.stringify({ requests_per_minute: 5 }),
    });
    expect(put.status).toBe(200);
    for (let i = 0; i < 5; i++)
      await fetch(`${app.url}/v1/search`, {
        method: 'POST',
        headers: bearer(other),
        body: JSON.stringify({ query: 'passeport', k: 1 }),
      });
    for (let i = 0; i < 20; i++) expect((await get('/v1/quotas', other)).status).toBe(200);
    const raise = await fetch(`${app.url}/v1/quotas`, {
      method: 'PUT',
      headers: bearer(other),
      body: JSON.stringify({ requests_per_minute: 100 }),
    });
    expect(raise.status).toBe(200);
  });
});

describe('guichet quotas set|clear', () => {
  it('sets then clears a key limit, applied by the running server; bad input is one French line', async () => {
    const env = { GUICHET_DATA_DIR: app.services.dir };
    const key = await createTestKey(app.services.store, { role: 'agent', name: 'cli' });
    const id = await keyIdOf(key);
    const search = () =>
      fetch(`${app.url}/v1/search`, {
        method: 'POST',
        headers: bearer(key),
        body: JSON.stringify({ query: 'passeport', k: 1 }),
      });
    const set = runCli(['quotas', 'set', '--org', 'default', '--key', id, '--requests-per-minute', '0'], env);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/requêtes par minute : 0/);
    expect(runCli(['quotas', 'show', '--org', 'default', '--key', id], env).stdout).toMatch(/fixés/);
    await new Promise((r) => setTimeout(r, 2_100)); // the server's cache of limits (LIMITS_CACHE_MS)
    expect((await search()).status).toBe(429);
    const clear = runCli(['quotas', 'clear', '--org', 'default', '--key', id], env);
    expect(clear.status, clear.stderr).toBe(0);
    expect(clear.stdout).toMatch(/effacés/);
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await search()).status).toBe(200);
    const bad = runCli(['quotas', 'set', '--org', 'default', '--requests-per-minute', 'beaucoup'], env);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^Erreur : --requests-per-minute : un entier positif/);
    const none = runCli(['quotas', 'clear', '--org', 'inconnue'], env);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/Organisation introuvable/);
  }, 60_000);
});
