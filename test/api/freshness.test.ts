/**
 * Freshness where a person reads: on the built-in corpus (fiches of 2016–2020), every citation of
 * the API carries its `date` and `stale: true`, links to service-public.gouv.fr, and the
 * `extractive` answer ends with the one-line caveat naming the oldest cited source's date. With a
 * looser configured age, nothing is stale and no caveat is added.
 */
import { composeServices } from '../../src/compose.js';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDefaultOrganisation } from '../../src/accounts/create-organisation.js';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import { loadConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import { frenchDate } from '../../src/knowledge/freshness.js';
import type { Services } from '../../src/services.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { bearer, createTestKey } from '../helpers/accounts.js';
import { copyCorpus } from '../helpers/corpus.js';

interface Citation {
  id: string;
  url: string | null;
  date: string | null;
  stale: boolean;
  local: boolean;
  cited: boolean;
}

let dir: string;
const opened: Services[] = [];

async function services(staleAfterMonths?: number): Promise<Services> {
  const config = loadConfig({
    env: {},
    file: undefined,
    overrides: {
      data_dir: dir,
      log_level: 'silent',
      ...(staleAfterMonths ? { knowledge: { stale_after_months: staleAfterMonths } } : {}),
    },
  });
  const store = openSqliteStore(dir);
  await ensureDefaultOrganisation(store, DEFAULT_ORG_ID);
  const s = composeServices({ config, store, env: {} });
  opened.push(s);
  return s;
}

beforeAll(async () => {
  dir = await copyCorpus();
}, 600_000);

afterAll(async () => {
  for (const s of opened) await s.store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(s: Services, question: string) {
  const key = await createTestKey(s.store, { role: 'agent' });
  const r = await createApp(s).request('/v1/chat/completions', {
    method: 'POST',
    headers: bearer(key),
    body: JSON.stringify({ model: 'guichet', messages: [{ role: 'user', content: question }] }),
  });
  expect(r.status).toBe(200);
  return (await r.json()) as { choices: { message: { content: string } }[]; citations: Citation[] };
}

describe('freshness of sources in the API and the extractive answer', () => {
  it('the built-in 2020 corpus: citations dated and stale, linked to service-public.gouv.fr, caveat in the answer', async () => {
    const s = await services();
    const body = await ask(s, 'Comment refaire sa carte d’identité perdue ?');
    expect(body.citations.length).toBeGreaterThan(0);
    for (const c of body.citations) {
      expect(c.date).toMatch(/^20(1\d|20)-\d{2}-\d{2}$/);
      expect(c.stale).toBe(true);
      expect(c.url).toMatch(
        /^https:\/\/www\.service-public\.gouv\.fr\/(particuliers|professionnels-entreprises|associations)\/vosdroits\/[FNR]\d+$/,
      );
    }
    const text = body.choices[0].message.content;
    const cited = body.citations.filter((c) => c.cited);
    expect(cited.length).toBeGreaterThan(0);
    const oldest = cited.map((c) => c.date!).sort()[0];
    const lines = text.trim().split('\n');
    expect(lines.at(-1)).toBe(
      `⚠ Source du ${frenchDate(oldest)} : vérifiez sur le site officiel avant de répondre.`,
    );
    expect(text.match(/vérifiez sur le site officiel/g)).toHaveLength(1);

    // /v1/search hits carry the same freshness and links.
    const key = await createTestKey(s.store, { role: 'agent' });
    const r = await createApp(s).request('/v1/search', {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({ query: 'carte d’identité perdue' }),
    });
    const hits = ((await r.json()) as { data: { url: string; stale: boolean; date: string }[] }).data;
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) {
      expect(h.stale).toBe(true);
      expect(h.url).toMatch(/^https:\/\/www\.service-public\.gouv\.fr\//);
    }
  }, 120_000);

  it('a configured age the sources are within: not stale, no caveat', async () => {
    const s = await services(240);
    const body = await ask(s, 'Comment refaire sa carte d’identité perdue ?');
    expect(body.citations.length).toBeGreaterThan(0);
    for (const c of body.citations) expect(c.stale).toBe(false);
    expect(body.choices[0].message.content).not.toMatch(/vérifiez sur le site officiel/);
  }, 120_000);
});
