/**
 * Marking of AI content (AI Act art. 50, issue 22 part 4): every route that returns generated
 * answers carries the headers and the `guichet` field (`ai_generated`, `reviewed`). The suite
 * enumerates the router: every route is either an answer route (src/http/ai-marking.ts), driven
 * here, or listed below as returning no generated answer — a new route that is neither fails it.
 * The official `openai` client still reads the marked responses; `guichet ask --json` carries the
 * marker; « reviewed » turns true only once the agent ticks the answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AI_ANSWER_ROUTES, AI_HEADERS } from '../../src/http/ai-marking.js';
import { createApp } from '../../src/http/app.js';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';
import { runCli } from '../helpers/cli.js';

/** Routes that return no generated answer (accounts, listings, files, exports of other data…). */
const NOT_ANSWER_ROUTES = new Set([
  'GET /',
  'GET /index.html',
  'GET /assets/*',
  'GET /dsfr/*',
  'GET /vendor/:name',
  'GET /favicon.ico',
  'GET /admin/:section',
  'GET /health',
  'GET /metrics',
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/assets/:file',
  'GET /installation',
  'POST /installation',
  'GET /auth/login',
  'GET /auth/callback',
  'GET /auth/session',
  'POST /auth/key',
  'POST /auth/logout',
  'GET /v1/me',
  'GET /v1/usage',
  'GET /v1/models',
  'GET /v1/models/:id',
  'POST /v1/search', // extracts of the sources, not generated text
  'POST /v1/embeddings', // vectors
  'GET /v1/organisations',
  'POST /v1/organisations',
  'GET /v1/users',
  'POST /v1/users',
  'GET /v1/keys',
  'POST /v1/keys',
  'DELETE /v1/keys/:id',
  'GET /v1/quotas',
  'PUT /v1/quotas',
  'GET /v1/collections',
  'POST /v1/collections',
  'GET /v1/collections/:id',
  'PATCH /v1/collections/:id',
  'DELETE /v1/collections/:id',
  'GET /v1/documents',
  'POST /v1/documents',
  'GET /v1/documents/:id',
  'DELETE /v1/documents/:id',
  'GET /v1/conversations', // titles only
  'POST /v1/conversations',
  'PATCH /v1/conversations/:id',
  'DELETE /v1/conversations/:id',
  'POST /v1/conversations/:id/messages/:messageId/feedback',
  'POST /v1/conversations/:id/messages/:messageId/review', // the marker of one answer, not its text
  'GET /v1/privacy/users/:id/export', // a person's data (their conversations as stored, for the right of access)
  'DELETE /v1/privacy/users/:id',
  'GET /v1/admin/audit',
  'POST /v1/admin/audit/verify',
  'GET /v1/admin/retention',
  'PUT /v1/admin/retention',
  'GET /v1/admin/data-flows',
  'GET /v1/admin/ai-tools',
  'POST /v1/admin/ai-tools',
  'GET /v1/admin/ai-tools/:id',
  'PATCH /v1/admin/ai-tools/guichet', // the organisation's DPIA fields of Guichet's entry
  'PATCH /v1/admin/ai-tools/:id',
  'DELETE /v1/admin/ai-tools/:id',
  'PATCH /v1/users/:id',
  'POST /v1/users/:id/move',
  'GET /v1/admin/services',
  'POST /v1/admin/services',
  'PATCH /v1/admin/services/:id',
  'DELETE /v1/admin/services/:id',
  'GET /v1/admin/pilot', // counts, sources and the refused questions (pseudonymised), no answer text
  'GET /v1/admin/pilot/compare',
  'PUT /v1/admin/pilot',
  'GET /v1/training', // the course, written by people
  'POST /v1/training/quiz',
  'POST /v1/training/quiz/:id/answers',
  'GET /v1/admin/training/completions',
  'POST /v1/admin/ingest/service-public',
  'POST /v1/admin/knowledge/refresh',
  'GET /v1/admin/jobs/:id',
  'GET /v1/admin/backups',
  'POST /v1/admin/backups',
]);

let app: RunningApp;
let key: string;
beforeAll(async () => {
  app = await startTestApp({ config: { metrics: { enabled: true, public: true } } });
  key = await createTestKey(app.services.store, { role: 'admin' });
}, 60_000);
afterAll(() => app?.close());

const post = (path: string, body: unknown) =>
  fetch(`${app.url}${path}`, { method: 'POST', headers: bearer(key), body: JSON.stringify(body) });
const get = (path: string) => fetch(`${app.url}${path}`, { headers: bearer(key) });

function expectHeaders(r: Response, where: string): void {
  for (const [k, v] of Object.entries(AI_HEADERS)) expect(r.headers.get(k), `${where} : ${k}`).toBe(v);
}
/** The `data:` JSON events of an SSE body. */
const events = (text: string) =>
  text
    .split('\n\n')
    .map((b) => b.replace(/^data: /, ''))
    .filter((d) => d && d !== '[DONE]')
    .map((d) => JSON.parse(d) as Record<string, any>);

type Marker = { ai_generated: boolean; reviewed: boolean; reviewed_at?: string | null };
let conversation: { id: string; answer: string };

/** One driver per answer route: calls it and checks the header and the response field. */
const DRIVERS: Record<(typeof AI_ANSWER_ROUTES)[number], () => Promise<void>> = {
  'POST /v1/chat/completions': async () => {
    const messages = [{ role: 'user', content: 'Comment refaire une carte d’identité ?' }];
    const plain = await post('/v1/chat/completions', { model: 'guichet', messages });
    expect(plain.status).toBe(200);
    expectHeaders(plain, 'chat');
    expect(((await plain.json()) as { guichet: Marker }).guichet).toMatchObject({
      ai_generated: true,
      reviewed: false,
    });
    const stream = await post('/v1/chat/completions', { model: 'guichet', messages, stream: true });
    expect(stream.status).toBe(200);
    expectHeaders(stream, 'chat (flux)');
    const last = events(await stream.text()).at(-1)!;
    expect(last.guichet).toMatchObject({ ai_generated: true, reviewed: false });
    // An error is not an answer: no marker.
    const bad = await post('/v1/chat/completions', { model: 'guichet', messages: [] });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-ai-generated')).toBeNull();
  },
  'POST /v1/conversations/:id/messages': async () => {
    const r = await post('/v1/conversations/new/messages', { content: 'Comment refaire un passeport ?' });
    expect(r.status).toBe(200);
    expectHeaders(r, 'conversation (flux)');
    const all = events(await r.text());
    expect(all.at(-1)!.guichet).toMatchObject({ ai_generated: true, reviewed: false });
    conversation = { id: all[0].guichet.conversation_id, answer: all[0].guichet.message_id };
  },
  'GET /v1/conversations/:id': async () => {
    const read = async () => {
      const r = await get(`/v1/conversations/${conversation.id}`);
      expect(r.status).toBe(200);
      expectHeaders(r, 'conversation');
      const body = (await r.json()) as { messages: { id: string; role: string; guichet?: Marker }[] };
      expect(body.messages.find((m) => m.role === 'user')?.guichet).toBeUndefined();
      return body.messages.find((m) => m.id === conversation.answer)!.guichet!;
    };
    expect(await read()).toEqual({ ai_generated: true, reviewed: false, reviewed_at: null });
    // « relue par un agent » only once ticked; unticked again, it is gone.
    const review = (reviewed: boolean) =>
      post(`/v1/conversations/${conversation.id}/messages/${conversation.answer}/review`, { reviewed });
    const ticked = await review(true);
    expect(ticked.status).toBe(200);
    expect(((await ticked.json()) as { guichet: Marker }).guichet.reviewed).toBe(true);
    const after = await read();
    expect(after.reviewed).toBe(true);
    expect(Date.parse(after.reviewed_at!)).not.toBeNaN();
    expect((await review(false)).status).toBe(200);
    expect(await read()).toEqual({ ai_generated: true, reviewed: false, reviewed_at: null });
    expect((await review(true)).status).toBe(200);
    // Bad input: French 4xx.
    const bad = await post(`/v1/conversations/${conversation.id}/messages/${conversation.answer}/review`, {
      reviewed: 'oui',
    });
    expect(bad.status).toBe(400);
    const question = await post(`/v1/conversations/${conversation.id}/messages/inconnu/review`, {
      reviewed: true,
    });
    expect(question.status).toBe(404);
    expect(((await question.json()) as { error: { message: string } }).error.message).toMatch(
      /Réponse introuvable/,
    );
  },
  'GET /v1/feedback': async () => {
    const fb = await post(`/v1/conversations/${conversation.id}/messages/${conversation.answer}/feedback`, {
      rating: 1,
    });
    expect(fb.status).toBe(201);
    const r = await get('/v1/feedback');
    expect(r.status).toBe(200);
    expectHeaders(r, 'avis');
    const list = (await r.json()) as { data: { message_id: string; guichet: Marker }[] };
    const item = list.data.find((f) => f.message_id === conversation.answer)!;
    expect(item.guichet).toMatchObject({ ai_generated: true, reviewed: true });
  },
};

describe('AI marking on every answer route', () => {
  it('classifies every route of the router: an answer route, or one returning no generated answer', () => {
    const routes = new Set(
      createApp(app.services)
        .routes.filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path}`),
    );
    const answer = new Set<string>(AI_ANSWER_ROUTES);
    expect([...routes].filter((r) => !answer.has(r) && !NOT_ANSWER_ROUTES.has(r))).toEqual([]);
    for (const r of answer) expect(routes.has(r), r).toBe(true);
    for (const r of answer) expect(NOT_ANSWER_ROUTES.has(r), r).toBe(false);
    expect(Object.keys(DRIVERS).sort()).toEqual([...AI_ANSWER_ROUTES].sort());
  });

  it('drives each answer route: headers and `guichet` field', async () => {
    // In order: the conversation asked is then read, reviewed and given feedback.
    for (const route of AI_ANSWER_ROUTES) await DRIVERS[route]();
  }, 60_000);

  it('a route that returns no answer carries no marker', async () => {
    for (const path of ['/v1/me', '/v1/models', '/v1/conversations']) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('x-ai-generated'), path).toBeNull();
    }
  });

  it('the official openai client reads marked answers, stream and not', async () => {
    const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: key, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'guichet', messages: [{ role: 'user', content: 'Horaires de la mairie ?' }] })
      .withResponse();
    expect(response.headers.get('x-ai-generated')).toBe('true');
    expect(typeof data.choices[0].message.content).toBe('string');
    expect((data as unknown as { guichet: Marker }).guichet.ai_generated).toBe(true);
    const stream = await client.chat.completions.create({
      model: 'guichet',
      stream: true,
      messages: [{ role: 'user', content: 'Horaires de la mairie ?' }],
    });
    const markers: Marker[] = [];
    for await (const chunk of stream) {
      const g = (chunk as unknown as { guichet?: Marker }).guichet;
      if (g && 'ai_generated' in g) markers.push(g);
    }
    expect(markers).toEqual([expect.objectContaining({ ai_generated: true, reviewed: false })]);
  });

  it('guichet ask --json carries the marker', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-marking-'));
    try {
      const r = runCli(['ask', 'Comment refaire un passeport ?', '--json'], { GUICHET_DATA_DIR: dir });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { answer: string; guichet: Marker };
      expect(out.answer.length).toBeGreaterThan(0);
      expect(out.guichet).toMatchObject({ ai_generated: true, reviewed: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
