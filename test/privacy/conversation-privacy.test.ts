import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestDocument } from '../../src/usecases/ingest-document.js';
import { createTestKey, startTestApp, bearer, type RunningApp } from '../helpers/accounts.js';
import {
  lastUserText,
  replySse,
  startRecordingUpstream,
  type RecordingUpstream,
} from './recording-upstream.js';

/**
 * The web UI's path (`POST /v1/conversations/{id}/messages`) applies the organisation's privacy
 * policy exactly as `/v1/chat/completions` does: a sensitive organisation never reaches a provider
 * neither local nor SecNumCloud, and the per-organisation `pseudonymise` override is honoured.
 */
let upstream: RecordingUpstream;
let app: RunningApp;

const NOTE =
  '# Suivi des demandes de carte de stationnement\n\n' +
  'La demande de carte de stationnement de M. Rachid Duval (NIR 168046959664460, téléphone 06 12 34 56 78) ' +
  'est instruite par la maison départementale des personnes handicapées. La carte de stationnement est envoyée sous deux mois.\n';
const QUESTION = 'Délai pour la carte de stationnement de M. Rachid Duval ?';

async function orgWithNote(id: string, sensitive: boolean): Promise<string> {
  const store = app.services.store;
  await store.accounts.orgs.create({ id, name: `Organisation ${id}`, sensitive });
  const col = await store.collections.create({ orgId: id, name: 'Notes du guichet', visibility: 'private' });
  await ingestDocument({
    store,
    orgId: id,
    collectionId: col.id,
    fileName: 'suivi.md',
    bytes: Buffer.from(NOTE),
    chunkTokens: 350,
    maxBytes: 1_000_000,
  });
  return createTestKey(store, { orgId: id, role: 'agent' });
}

/** Asks in a new conversation; returns the streamed text and the final `guichet` marker. */
async function ask(
  key: string,
  content: string,
): Promise<{ text: string; guichet: any; ids: { conversation_id: string; message_id: string } }> {
  const res = await fetch(`${app.url}/v1/conversations/new/messages`, {
    method: 'POST',
    headers: bearer(key),
    body: JSON.stringify({ content }),
  });
  expect(res.status).toBe(200);
  let text = '';
  let guichet: any = null;
  let ids: any = null;
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const event = JSON.parse(line.slice(6));
    text += event.choices?.[0]?.delta?.content ?? '';
    if (event.guichet?.ai_generated) guichet = event.guichet;
    if (event.guichet?.conversation_id) ids = event.guichet;
  }
  return { text, guichet, ids };
}

beforeAll(async () => {
  upstream = await startRecordingUpstream((body, res) => replySse(res, `Réponse : ${lastUserText(body)}`));
  app = await startTestApp({
    config: {
      providers: [
        { id: 'up', type: 'openai-compatible', base_url: upstream.baseUrl, models: ['m1'], local: false },
      ],
      models: [{ id: 'guichet', targets: ['up:m1'] }],
      privacy: { organisations: { libre: { pseudonymise: false } } },
    },
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await upstream?.close();
});

describe('conversations apply the organisation privacy policy', () => {
  it('a sensitive organisation is served locally: nothing reaches a provider neither local nor SecNumCloud', async () => {
    const key = await orgWithNote('hopital', true);
    const before = upstream.raw.length;
    const r = await ask(key, QUESTION);
    expect(upstream.raw.length).toBe(before);
    expect(r.guichet.model).toBe('guichet:extractive');
    expect(r.text).toContain('stationnement');
  });

  it('an ordinary organisation is pseudonymised before the non-local provider', async () => {
    const key = await orgWithNote('mairie', false);
    const before = upstream.raw.length;
    const r = await ask(key, QUESTION);
    expect(upstream.raw.length).toBe(before + 1);
    const seen = upstream.raw.slice(before).map(String).join('');
    expect(seen).not.toContain('Rachid Duval');
    expect(seen).not.toContain('168046959664460');
    expect(r.guichet.model).toBe('up:m1');
    expect(r.text).toContain('Rachid Duval'); // restored for the advisor
    // The answer is kept as streamed (restored), complete, with its citations.
    const conv = (await (
      await fetch(`${app.url}/v1/conversations/${r.ids.conversation_id}`, { headers: bearer(key) })
    ).json()) as any;
    const kept = conv.messages.find((m: any) => m.id === r.ids.message_id);
    expect(kept).toMatchObject({ role: 'assistant', content: r.text, complete: true });
    expect(kept.citations.length).toBeGreaterThan(0);
  });

  it('the per-organisation `pseudonymise: false` override is honoured on this path too', async () => {
    const key = await orgWithNote('libre', false);
    const before = upstream.raw.length;
    await ask(key, QUESTION);
    expect(upstream.raw.length).toBe(before + 1);
    expect(upstream.raw.slice(before).map(String).join('')).toContain('Rachid Duval');
  });
});

describe('conversation titles', () => {
  it('never show the personal data of the question (made from it, or given)', async () => {
    const key = await createTestKey(app.services.store, { role: 'agent' });
    const question =
      'Mon NIR est 1 85 05 78 006 084 91, je suis Jean Dupont : comment refaire ma carte vitale ?';
    await ask(key, question);
    const given = await fetch(`${app.url}/v1/conversations`, {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({ title: 'Dossier de Jean Dupont, tél. 06 12 34 56 78' }),
    });
    expect(given.status).toBe(201);
    const list = (await (await fetch(`${app.url}/v1/conversations`, { headers: bearer(key) })).json()) as any;
    const titles = list.data.map((c: any) => c.title).join('\n');
    expect(list.data).toHaveLength(2);
    for (const value of ['1 85 05 78 006 084 91', 'Jean Dupont', '06 12 34 56 78'])
      expect(titles).not.toContain(value);
    expect(titles).toContain('carte vitale');
  });
});
