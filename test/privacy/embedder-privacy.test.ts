import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFlowReport } from '../../src/privacy/data-flows.js';
import { createTestKey, startTestApp, bearer, type RunningApp } from '../helpers/accounts.js';
import { startRecordingUpstream, type RecordingUpstream } from './recording-upstream.js';

/**
 * A non-local embedding model (`search.embedding_model`) only ever receives pseudonymised text:
 * search queries (`/v1/search`, answers) and the chunks of uploaded documents. The data-flow
 * report says what the code does: its `pseudonymised` claim for the endpoint is checked against
 * the bytes the endpoint received, organisation by organisation.
 */
interface Gold {
  id: string;
  text: string;
  spans: { value: string }[];
}
const GOLD: Gold[] = readFileSync(new URL('../../eval/pii-dev.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Gold);
const QUESTION = 'Quelles aides pour M. Jean Dupont, NIR 1 85 05 78 006 084 91 ?';

let upstream: RecordingUpstream;
let app: RunningApp;

function replyEmbeddings(body: any, res: ServerResponse): void {
  const input: string[] = Array.isArray(body?.input) ? body.input : [String(body?.input ?? '')];
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      object: 'list',
      data: input.map((_t, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3, 0.4] })),
      usage: { prompt_tokens: 4, total_tokens: 4 },
    }),
  );
}

beforeAll(async () => {
  upstream = await startRecordingUpstream((body, res) => replyEmbeddings(body, res));
  app = await startTestApp({
    config: {
      providers: [
        { id: 'emb', type: 'openai-compatible', base_url: upstream.baseUrl, models: ['e1'], local: false },
      ],
      search: { embedding_model: 'emb:e1' },
      privacy: { organisations: { libre: { pseudonymise: false } } },
    },
  });
  // Something to search in for every organisation (a fresh store has no collection).
  await app.services.store.collections.create({ orgId: 'default', name: 'Commun', visibility: 'public' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await upstream?.close();
});

const seenSince = (n: number) =>
  upstream.raw
    .slice(n)
    .map((b) => b.toString('utf8'))
    .join('\n');
const leaked = (seen: string, values: string[]) =>
  values.filter((v) => seen.includes(v) || seen.includes(JSON.stringify(v).slice(1, -1)));

async function search(key: string, query: string, method = 'hybrid'): Promise<Response> {
  return fetch(`${app.url}/v1/search`, {
    method: 'POST',
    headers: bearer(key),
    body: JSON.stringify({ query, method, k: 3 }),
  });
}

describe('a non-local embedding model', () => {
  it('receives search queries pseudonymised: no gold value of the dev set leaves in clear', async () => {
    const key = await createTestKey(app.services.store, { role: 'agent' });
    const before = upstream.raw.length;
    for (const q of [QUESTION, ...GOLD.map((g) => g.text.slice(0, 2000))]) {
      expect((await search(key, q)).status).toBe(200);
    }
    expect(upstream.raw.length).toBe(before + GOLD.length + 1);
    const seen = seenSince(before);
    expect(leaked(seen, ['Jean Dupont', '1 85 05 78 006 084 91'])).toEqual([]);
    expect(
      leaked(
        seen,
        GOLD.flatMap((g) => g.spans.map((s) => s.value)),
      ),
    ).toEqual([]);
    expect(seen).toContain('[PERSONNE_1]');
  }, 120_000);

  it('receives the chunks of an uploaded document pseudonymised', async () => {
    const key = await createTestKey(app.services.store, { role: 'admin' });
    const col = await app.services.store.collections.create({
      orgId: 'default',
      name: 'Notes',
      visibility: 'private',
    });
    const form = new FormData();
    form.set('collection', col.id);
    form.set(
      'file',
      new Blob([
        `# Suivi\n\nDossier de M. Jean Dupont, NIR 1 85 05 78 006 084 91, téléphone 06 12 34 56 78.\n`,
      ]),
      'suivi.md',
    );
    const before = upstream.raw.length;
    const res = await fetch(`${app.url}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(upstream.raw.length).toBeGreaterThan(before);
    expect(leaked(seenSince(before), ['Jean Dupont', '1 85 05 78 006 084 91', '06 12 34 56 78'])).toEqual([]);
  });

  it('is not called for a sensitive organisation (neither local nor SecNumCloud): lexical search only', async () => {
    await app.services.store.accounts.orgs.create({ id: 'hopital', name: 'Hôpital', sensitive: true });
    const key = await createTestKey(app.services.store, { orgId: 'hopital', role: 'agent' });
    const before = upstream.raw.length;
    expect((await search(key, QUESTION)).status).toBe(200);
    expect(upstream.raw.length).toBe(before);
    // Dense search asked for explicitly is refused in French, without any call.
    const dense = await search(key, QUESTION, 'dense');
    expect(dense.status).toBe(403);
    expect(((await dense.json()) as any).error.message).toMatch(/Organisation sensible/);
    expect(upstream.raw.length).toBe(before);
  });

  it('POST /v1/embeddings: pseudonymised before the non-local model; refused to a sensitive organisation', async () => {
    const embed = (key: string) =>
      fetch(`${app.url}/v1/embeddings`, {
        method: 'POST',
        headers: bearer(key),
        body: JSON.stringify({ model: 'emb:e1', input: [QUESTION] }),
      });
    const before = upstream.raw.length;
    const ok = await embed(await createTestKey(app.services.store, { role: 'developer' }));
    expect(ok.status).toBe(200);
    expect(upstream.raw.length).toBe(before + 1);
    expect(leaked(seenSince(before), ['Jean Dupont', '1 85 05 78 006 084 91'])).toEqual([]);
    if (!(await app.services.store.accounts.orgs.get('hopital')))
      await app.services.store.accounts.orgs.create({ id: 'hopital', name: 'Hôpital', sensitive: true });
    const refused = await embed(
      await createTestKey(app.services.store, { orgId: 'hopital', role: 'developer' }),
    );
    expect(refused.status).toBe(403);
    expect(upstream.raw.length).toBe(before + 1);
  });

  it('the data-flow report says what was sent, organisation by organisation', async () => {
    const report = dataFlowReport(app.services.config, app.services.egress.stats(), app.services.startedAt);
    const endpoint = report.endpoints.find((e) => e.id === 'emb')!;
    expect(endpoint.dataCategories.join(' ')).toMatch(/requêtes de recherche/);
    // What each organisation actually sends to this endpoint.
    await app.services.store.accounts.orgs.create({ id: 'libre', name: 'Libre' });
    const observed: boolean[] = [];
    for (const orgId of ['default', 'libre']) {
      const key = await createTestKey(app.services.store, { orgId, role: 'agent' });
      const before = upstream.raw.length;
      expect((await search(key, QUESTION)).status).toBe(200);
      observed.push(leaked(seenSince(before), ['Jean Dupont']).length === 0);
    }
    const expected = observed.every(Boolean) ? 'yes' : observed.some(Boolean) ? 'partially' : 'no';
    expect(endpoint.pseudonymised).toBe(expected);
    expect(expected).toBe('partially'); // `libre` is exempted in the configuration
  });
});
