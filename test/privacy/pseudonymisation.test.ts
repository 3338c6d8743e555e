import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseValue } from '../../src/privacy/placeholders.js';
import type { PiiType } from '../../src/privacy/detect.js';
import { ingestDocument } from '../../src/usecases/ingest-document.js';
import { createTestKey, startTestApp, bearer, type RunningApp } from '../helpers/accounts.js';
import {
  lastUserText,
  replyJson,
  replySse,
  startRecordingUpstream,
  type RecordingUpstream,
} from './recording-upstream.js';

/**
 * The decisive test of issue 6: a non-local provider (a scripted upstream on loopback) receives the
 * texts of both public gold sets (pii-dev and pii-dev-hard); no value of a gold span reaches it, in any byte, and the user reads
 * the restored text, streamed and not.
 */
interface Gold {
  id: string;
  text: string;
  spans: { start: number; end: number; type: string; value: string }[];
}
/** Both public dev sets: pii-dev.jsonl and the harder pii-dev-hard.jsonl (issue 19). */
const GOLD: Gold[] = ['pii-dev.jsonl', 'pii-dev-hard.jsonl'].flatMap((file) =>
  readFileSync(new URL(`../../eval/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Gold),
);

let upstream: RecordingUpstream;
let app: RunningApp;
let key: string;
/** What the upstream answers for the next request; default: echo the user's message back. */
let script: ((userText: string) => string) | null = null;

async function sseText(res: Response): Promise<{ text: string; guichet: any }> {
  const raw = await res.text();
  let text = '';
  let guichet: any = null;
  for (const line of raw.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const event = JSON.parse(line.slice(6));
    text += event.choices?.[0]?.delta?.content ?? '';
    if (event.guichet) guichet = event.guichet;
  }
  return { text, guichet };
}

async function chat(
  content: string,
  stream: boolean,
  model = 'up:m1',
): Promise<{ text: string; guichet: any; status: number }> {
  const res = await fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: bearer(key),
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content }] }),
  });
  if (res.status !== 200) return { text: await res.text(), guichet: null, status: res.status };
  if (stream) return { ...(await sseText(res)), status: 200 };
  const body = (await res.json()) as any;
  return { text: body.choices[0].message.content, guichet: body.guichet, status: 200 };
}

/**
 * Two spellings of one value share a placeholder by design (the model sees one person, not two:
 * "Medjine OLATUNJI" and "Medjine Olatunji"), and the placeholder comes back as the first
 * spelling. A text with such variants is compared up to case; every other text byte for byte.
 */
function expectRestored(received: string, g: Gold): void {
  const spellings = new Map<string, Set<string>>();
  for (const s of g.spans) {
    const key = `${s.type} ${normaliseValue(s.type as PiiType, s.value)}`;
    spellings.set(key, (spellings.get(key) ?? new Set()).add(s.value));
  }
  if ([...spellings.values()].some((v) => v.size > 1))
    expect(received.toLowerCase(), g.id).toBe(g.text.toLowerCase());
  else expect(received, g.id).toBe(g.text);
}

/** Every gold value that appears in the bytes the upstream received (raw or JSON-escaped). */
function leaked(values: string[]): string[] {
  const seen = upstream.raw.map((b) => b.toString('utf8')).join('\n');
  return values.filter((v) => seen.includes(v) || seen.includes(JSON.stringify(v).slice(1, -1)));
}

beforeAll(async () => {
  upstream = await startRecordingUpstream((body, res) => {
    const echo = script ? script(lastUserText(body)) : lastUserText(body);
    if (body?.stream) replySse(res, echo);
    else replyJson(res, echo);
  });
  app = await startTestApp({
    config: {
      providers: [
        { id: 'up', type: 'openai-compatible', base_url: upstream.baseUrl, models: ['m1'], local: false },
      ],
      models: [{ id: 'guichet', targets: ['up:m1'] }],
    },
  });
  key = await createTestKey(app.services.store, { role: 'admin' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await upstream?.close();
});

describe('pseudonymisation before a non-local provider', () => {
  it(`no gold value of the ${GOLD.length} texts reaches the upstream; the user reads the restored text (not streamed)`, async () => {
    script = null;
    upstream.raw.length = 0;
    for (const g of GOLD) {
      const r = await chat(g.text, false);
      expect(r.status).toBe(200);
      expectRestored(r.text, g);
      expect(r.guichet.pseudonymised).toBe(true);
    }
    expect(upstream.raw.length).toBe(GOLD.length);
    expect(leaked(GOLD.flatMap((g) => g.spans.map((s) => s.value)))).toEqual([]);
    // What the upstream read is the pseudonymised text, with placeholders.
    expect(upstream.raw.map(String).join('')).toMatch(/\[PERSONNE_1\]/);
  }, 480_000);

  it('same when streamed: placeholders split across chunks are restored', async () => {
    script = null;
    upstream.raw.length = 0;
    for (const g of GOLD) {
      const r = await chat(g.text, true);
      expect(r.status).toBe(200);
      expectRestored(r.text, g);
    }
    expect(upstream.raw.length).toBe(GOLD.length);
    expect(leaked(GOLD.flatMap((g) => g.spans.map((s) => s.value)))).toEqual([]);
  }, 480_000);

  it('a placeholder typed by the user is never restored into someone’s data', async () => {
    upstream.raw.length = 0;
    const text = 'Le dossier [PERSONNE_1] concerne M. Rachid Duval, NIR 168046959664460.';
    // The model answers with the token the user typed: it must stay a literal token.
    script = () => 'Pour [PERSONNE_1], voir la fiche.';
    for (const stream of [false, true]) {
      const r = await chat(text, stream);
      expect(r.text).toBe('Pour [PERSONNE_1], voir la fiche.');
      expect(r.text).not.toContain('Rachid');
      expect(r.guichet.unknown_placeholders).toEqual([]);
    }
    expect(leaked(['Rachid Duval', '168046959664460'])).toEqual([]);
    // Echoed back, the user's own text is intact (the token stays, the name comes back).
    script = null;
    expect((await chat(text, true)).text).toBe(text);
  });

  it('a placeholder invented by the model is left as it is and flagged', async () => {
    script = (u) => `${u} Voir aussi [NIR_7] et [PERSONNE_9].`;
    for (const stream of [false, true]) {
      const r = await chat('Mme Élodie Pham demande son attestation.', stream);
      expect(r.text).toBe('Mme Élodie Pham demande son attestation. Voir aussi [NIR_7] et [PERSONNE_9].');
      expect(r.guichet.unknown_placeholders.sort()).toEqual(['[NIR_7]', '[PERSONNE_9]']);
    }
    script = null;
  });

  it('passages of a private collection are pseudonymised, the national corpus is not touched', async () => {
    const store = app.services.store;
    const col = await store.collections.create({
      orgId: 'default',
      name: 'Notes du guichet',
      visibility: 'private',
    });
    const note =
      '# Suivi des demandes de carte de stationnement\n\n' +
      'La demande de carte de stationnement de M. Rachid Duval (NIR 168046959664460, téléphone 06 12 34 56 78) ' +
      'est instruite par la maison départementale des personnes handicapées. La carte de stationnement est envoyée sous deux mois.\n';
    await ingestDocument({
      store,
      orgId: 'default',
      collectionId: col.id,
      fileName: 'suivi.md',
      bytes: Buffer.from(note),
      chunkTokens: 350,
      maxBytes: 1_000_000,
    });
    upstream.raw.length = 0;
    script = () => 'Selon la note [1], la carte de stationnement est envoyée sous deux mois.';
    const res = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({
        model: 'guichet',
        messages: [{ role: 'user', content: 'Délai pour la carte de stationnement de M. Rachid Duval ?' }],
        guichet: { search: { collections: [col.id], k: 3 } },
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(upstream.raw.length).toBeGreaterThan(0);
    const seen = upstream.raw.map(String).join('');
    expect(seen).toContain('carte de stationnement');
    expect(leaked(['Rachid Duval', '168046959664460', '06 12 34 56 78'])).toEqual([]);
    expect(body.guichet.pseudonymised).toBe(true);
    // The user still sees the original passage in the citation.
    expect(JSON.stringify(body.citations)).toContain('Rachid Duval');
    script = null;
  });
});
