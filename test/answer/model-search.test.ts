import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { REWRITE_INSTRUCTIONS } from '../../src/answer/rewrite.js';
import { NO_SOURCE_MARKER } from '../../src/answer/model-abstention.js';
import { parseProvidersConfig } from '../../src/models/config.js';
import { createEgressFetch } from '../../src/models/http-client.js';
import { createOpenAiCompatibleProvider } from '../../src/models/providers/openai-compatible/index.js';
import {
  chunk,
  completion,
  sendJson,
  sendSse,
  startUpstream,
  type FakeUpstream,
  type SeenRequest,
} from '../../src/models/testing/fake-upstream.js';
import { dataFlowReport } from '../../src/privacy/data-flows.js';
import { answerDeps, NO_SOURCE_ANSWER } from '../../src/usecases/answer-question.js';
import { evaluateAnswersFiles } from '../../src/usecases/evaluate-answers.js';
import { ingestDocument } from '../../src/usecases/ingest-document.js';
import { createQueryRewriter, createReranker, createRetriever } from '../../src/usecases/retriever.js';
import { defaultCollectionsFor } from '../../src/usecases/visible-collections.js';
import { runDoctor } from '../../src/usecases/run-doctor.js';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';

/**
 * Search and answers with a generative model configured (`search.rewrite`, `search.reranker`,
 * `answers.model_abstention`), against a scripted OpenAI-compatible upstream on loopback: what the
 * model's queries add, what leaves pseudonymised, what a failing or slow upstream leaves (the
 * lexical path, never an error), what a sensitive organisation never sends, and the model's own
 * "no source" turned into the fixed sentence on every answer route.
 */

const DOCS: Record<string, string> = {
  'deces.md':
    '# Congé pour décès d’un proche\n\nLe salarié bénéficie d’un congé rémunéré en cas de décès d’un ' +
    'membre de sa famille : 3 jours ouvrables pour le décès du père ou de la mère, 5 jours pour un enfant.\n',
  'mediatheque.md':
    '# Horaires de la médiathèque\n\nLa médiathèque est ouverte le mardi et le samedi. Pour rester à la ' +
    'maison avec un livre, le prêt dure trois semaines.\n',
  'activites.md':
    '# Enfant malade\n\nGarde d’un enfant malade : enfant malade à la maison, enfant malade à la crèche, ' +
    'enfant malade à l’école.\n',
  'enfant-malade.md':
    '# Absence du salarié\n\nLe salarié peut prendre un congé quand son enfant est malade, sur certificat.\n',
};
const RAW_QUESTION = 'mon papa nous a quittés hier, je peux rester à la maison combien de temps ?';
const REWRITTEN = 'congé pour décès du père';
/** A question several documents match (something to re-rank). */
const MANY = 'congé enfant malade salarié médiathèque';
const PERSONAL = 'Je suis Mme Fatoumata Diallo, NIR 1 85 05 78 006 084 91.';

type Reply = 'fail' | 'hang' | ((req: SeenRequest, res: ServerResponse) => unknown);
const script: { rewrite: Reply; rerank: Reply; answer: Reply } = {
  rewrite: 'fail',
  rerank: 'fail',
  answer: 'fail',
};

function reply(r: Reply, req: SeenRequest, res: ServerResponse) {
  if (r === 'hang') return; // never answers: the client's time limit ends it
  if (r === 'fail') return sendJson(res, 500, { error: { message: 'panne' } });
  return r(req, res);
}

const isRewrite = (req: SeenRequest) => req.body?.messages?.[0]?.content === REWRITE_INSTRUCTIONS;
const rewrites = () => upstream.requests.filter(isRewrite);
const reranks = () => upstream.requests.filter((r) => r.path === '/v1/rerank');
const answers = () => upstream.requests.filter((r) => r.path === '/v1/chat/completions' && !isRewrite(r));
const rewriteWith =
  (text: string): Reply =>
  (_req, res) =>
    sendJson(res, 200, completion(text));
/** Scores for the documents of a rerank request: the given titles first, in that order. */
const rerankFirst =
  (...titles: string[]): Reply =>
  (req, res) => {
    const docs: string[] = req.body.documents;
    const score = (d: string) => {
      const at = titles.findIndex((t) => d.startsWith(t));
      return at < 0 ? 0 : titles.length - at;
    };
    sendJson(res, 200, { results: docs.map((d, index) => ({ index, relevance_score: score(d) })) });
  };
const answerWith =
  (...pieces: string[]): Reply =>
  (req, res) =>
    req.body.stream
      ? sendSse(res, [...pieces.map((p) => chunk(p)), chunk(null, 'stop'), '[DONE]'])
      : sendJson(res, 200, completion(pieces.join('')));

let upstream: FakeUpstream;
let app: RunningApp;
let key: string;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    if (req.path === '/v1/rerank') return reply(script.rerank, req, res);
    return reply(isRewrite(req) ? script.rewrite : script.answer, req, res);
  });
  app = await startTestApp({
    config: {
      providers: [
        // The rewriter has a model of its own here: its failures do not open the answers' breaker.
        {
          id: 'up',
          type: 'openai-compatible',
          base_url: upstream.baseUrl,
          models: ['chat', 'rw'],
          local: false,
        },
      ],
      models: [{ id: 'guichet', targets: ['up:chat'] }],
      metrics: { enabled: true, public: true },
      search: {
        rewrite: { model: 'up:rw', timeout_ms: 1500 },
        reranker: { provider: 'up', model: 'rr', timeout_ms: 1500 },
      },
    },
  });
  const store = app.services.store;
  for (const orgId of ['default', 'hopital']) {
    if (orgId !== 'default')
      await store.accounts.orgs.create({ id: orgId, name: 'Hôpital', sensitive: true });
    const col = await store.collections.create({ orgId, name: 'Fiches', visibility: 'private' });
    for (const [fileName, text] of Object.entries(DOCS)) {
      await ingestDocument({
        store,
        orgId,
        collectionId: col.id,
        fileName,
        bytes: Buffer.from(text),
        chunkTokens: 350,
        maxBytes: 1_000_000,
      });
    }
  }
  key = await createTestKey(store, { role: 'agent' });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await upstream?.close();
});

beforeEach(() => {
  script.rewrite = rewriteWith(''); // no query written
  script.rerank = 'fail';
  script.answer = 'fail';
  upstream.requests.length = 0;
});

async function search(query: string, k = 4, withKey = key): Promise<string[]> {
  const res = await fetch(`${app.url}/v1/search`, {
    method: 'POST',
    headers: bearer(withKey),
    body: JSON.stringify({ query, k }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { data: { title: string }[] }).data.map((d) => d.title);
}

async function chat(
  content: string,
  stream: boolean,
): Promise<{ text: string; guichet: any; citations: any }> {
  const res = await fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: bearer(key),
    body: JSON.stringify({ model: 'guichet', stream, messages: [{ role: 'user', content }] }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  if (!stream) {
    const body = (await res.json()) as any;
    return { text: body.choices[0].message.content, guichet: body.guichet, citations: body.citations };
  }
  return readStream(res);
}

async function readStream(res: Response): Promise<{ text: string; guichet: any; citations: any }> {
  let text = '';
  let guichet: any = null;
  let citations: any = null;
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const event = JSON.parse(line.slice(6));
    if (event.error) throw new Error(JSON.stringify(event.error));
    text += event.choices?.[0]?.delta?.content ?? '';
    if (event.guichet?.ai_generated) guichet = event.guichet;
    if (event.citations) citations = event.citations;
  }
  return { text, guichet, citations };
}

describe('query rewriting', () => {
  it('the model’s query finds a document the question alone does not, on /v1/search and in answers', async () => {
    expect(await search(RAW_QUESTION)).not.toContain('Congé pour décès d’un proche'); // no query written
    script.rewrite = rewriteWith(REWRITTEN);
    expect(await search(RAW_QUESTION)).toContain('Congé pour décès d’un proche');

    script.answer = answerWith('Trois jours ouvrables pour le décès du père [1].');
    const { text, guichet } = await chat(RAW_QUESTION, false);
    expect(text).toBe('Trois jours ouvrables pour le décès du père [1].');
    expect(guichet.no_source).toBe(false);
    // The sources the model received hold the document found by the rewritten query.
    const system = answers()[0].body.messages[0].content as string;
    expect(system).toContain('Congé pour décès d’un proche');
  });

  it('what the rewriter and the reranker receive is pseudonymised (a name and a NIR never leave in clear)', async () => {
    script.rewrite = (req, res) => {
      const placeholder = /\[PERSONNE_\d+\]/.exec(req.body.messages[1].content)?.[0] ?? '';
      sendJson(res, 200, completion(`${REWRITTEN}\ndroits de ${placeholder}`));
    };
    script.rerank = rerankFirst('Congé pour décès');
    script.answer = answerWith('Trois jours [1].');
    await chat(`${PERSONAL} ${RAW_QUESTION}`, true);
    expect(rewrites()).toHaveLength(1);
    expect(reranks()).toHaveLength(1);
    const sent = JSON.stringify([...rewrites(), ...reranks(), ...answers()].map((r) => r.body));
    expect(sent).not.toMatch(/Diallo|1 85 05 78 006 084 91/);
    expect(JSON.stringify(rewrites()[0].body)).toContain('[PERSONNE_1]');
    expect(reranks()[0].body.query).toContain('[PERSONNE_1]');
  });

  it('an upstream error or a timeout leaves the question searched alone: never an error, counted', async () => {
    const before = app.services.retriever.fallbacks();
    script.rewrite = 'fail';
    const lexical = await search(MANY); // both stages fail (500)
    script.rewrite = 'hang';
    script.rerank = 'hang';
    expect(await search(MANY)).toEqual(lexical);
    const after = app.services.retriever.fallbacks();
    expect(after.rewrite - before.rewrite).toBe(2);
    expect(after.rerank - before.rerank).toBe(2);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`guichet_search_model_fallbacks\\{stage="rewrite"[^}]*\\} ${after.rewrite}\\n`),
    );
    expect(metrics).toMatch(
      new RegExp(`guichet_search_model_fallbacks\\{stage="rerank"[^}]*\\} ${after.rerank}\\n`),
    );
    // An answer too: the model is asked with the lexical sources.
    script.answer = answerWith('Réponse [1].');
    expect((await chat(MANY, false)).text).toBe('Réponse [1].');
  }, 30_000);

  it('a sensitive organisation sends nothing to a provider neither local nor SecNumCloud (lexical search)', async () => {
    script.rewrite = rewriteWith(REWRITTEN);
    script.rerank = rerankFirst('Congé pour décès');
    const hopital = await createTestKey(app.services.store, { orgId: 'hopital', role: 'agent' });
    const titles = await search(RAW_QUESTION, 4, hopital);
    expect(titles.length).toBeGreaterThan(0);
    expect(titles).not.toContain('Congé pour décès d’un proche');
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('reranking', () => {
  it('a provider’s /v1/rerank reorders the first publications', async () => {
    const lexical = await search(MANY); // rerank fails: first stage
    expect(lexical.length).toBeGreaterThanOrEqual(3);
    const wanted = [...lexical].reverse();
    script.rerank = rerankFirst(...wanted);
    expect(await search(MANY)).toEqual(wanted);
    expect(reranks()[reranks().length - 1].body).toMatchObject({ model: 'rr' });
  });

  it('the built-in lexical reranker: a publication covering more of the question’s terms rises', async () => {
    const store = app.services.store;
    const collectionIds = await defaultCollectionsFor(store, 'default');
    const privacy = await app.services.privacy.forOrg('default');
    const plain = createRetriever({ store, embedder: null, rrfK: 20 });
    const lexical = createRetriever({
      store,
      embedder: null,
      rrfK: 20,
      reranker: createReranker('lexical', { store, providers: [] }),
    });
    const query = 'enfant malade congé salarié';
    const first = (await plain.search({ query, collectionIds, privacy, k: 3 })).map((h) => h.title);
    const reranked = (await lexical.search({ query, collectionIds, privacy, k: 3 })).map((h) => h.title);
    // Premise: the first stage ranks a publication repeating two of the terms above one showing three.
    const [two, three] = ['Enfant malade', 'Congé pour décès d’un proche'];
    expect(first.indexOf(two)).toBeGreaterThanOrEqual(0);
    expect(first.indexOf(two)).toBeLessThan(first.indexOf(three));
    expect(reranked.indexOf(three)).toBeLessThan(reranked.indexOf(two));
    expect(new Set(reranked)).toEqual(new Set(first));
  });

  it('egress refuses a rerank host that no declared provider names; the search goes on', async () => {
    const store = app.services.store;
    const config = parseProvidersConfig({
      providers: [{ id: 'ailleurs', type: 'openai-compatible', base_url: upstream.baseUrl, models: ['rr'] }],
    });
    // The process's egress client allows only what `providers` declares: here, nothing.
    const egress = createEgressFetch([]);
    const provider = createOpenAiCompatibleProvider(config.providers[0] as never, { egress });
    const retriever = createRetriever({
      store,
      embedder: null,
      rrfK: 20,
      reranker: createReranker(
        { provider: 'ailleurs', model: 'rr', api: 'albert', top_n: 5, timeout_ms: 2000 },
        {
          store,
          providers: [provider],
        },
      ),
    });
    const hits = await retriever.search({
      query: 'congé enfant malade',
      collectionIds: await defaultCollectionsFor(store, 'default'),
      privacy: { pseudonymise: true },
    });
    expect(hits.length).toBeGreaterThan(0);
    expect(retriever.fallbacks().rerank).toBe(1);
    expect(egress.stats().refused[upstream.origin]).toBe(1);
    expect(upstream.requests).toHaveLength(0);
    // And a reranker naming a provider that `providers` does not declare does not start.
    expect(() =>
      createReranker(
        { provider: 'inconnu', model: 'rr', api: 'openai-compatible', top_n: 20, timeout_ms: 3000 },
        { store, providers: [provider] },
      ),
    ).toThrow(/search\.reranker\.provider : « inconnu »/);
  });

  it('guichet doctor asks the reranker once and says whether it answers', async () => {
    const config = parseProvidersConfig({
      providers: [{ id: 'up', type: 'openai-compatible', base_url: upstream.baseUrl, models: ['chat'] }],
    });
    const providers = [
      createOpenAiCompatibleProvider(config.providers[0] as never, {
        egress: createEgressFetch([upstream.origin]),
      }),
    ];
    const check = async () =>
      (await runDoctor({ config: app.services.config, store: app.services.store, providers })).find((c) =>
        c.name.startsWith('reclassement'),
      );
    script.rerank = rerankFirst('Carte grise');
    expect(await check()).toMatchObject({ status: 'ok' });
    expect(reranks()[0].body).toMatchObject({ model: 'rr', query: 'carte grise' });
    script.rerank = 'fail';
    expect(await check()).toMatchObject({ status: 'warning', detail: expect.stringMatching(/HTTP 500/) });
  });

  it('a rewriting model that is not declared does not start', () => {
    expect(() =>
      createQueryRewriter(app.services.router, { model: 'inconnu', max_queries: 3, timeout_ms: 5000 }),
    ).toThrow(/^search\.rewrite\.model : Le modèle « inconnu » n’existe pas \(providers, models\)\.$/);
  });

  it('the data-flow report lists the rewrite and rerank uses of the provider, pseudonymised', () => {
    const report = dataFlowReport(app.services.config, app.services.egress.stats(), new Date());
    const up = report.endpoints.find((e) => e.id === 'up')!;
    expect(up.pseudonymised).toBe('yes');
    expect(up.dataCategories.join(' ')).toMatch(/reformuler en requêtes de recherche/);
    expect(up.dataCategories.join(' ')).toMatch(/reclasser \(\/v1\/rerank/);
  });
});

describe('model-judged "no source"', () => {
  const QUESTION = 'congé pour le décès de mon père : combien de jours ?';

  it('/v1/chat/completions without streaming: the marker becomes the fixed sentence, no citation', async () => {
    script.answer = answerWith(`${NO_SOURCE_MARKER}`);
    const { text, guichet, citations } = await chat(QUESTION, false);
    expect(text).toBe(NO_SOURCE_ANSWER);
    expect(guichet.no_source).toBe(true);
    expect(citations).toEqual([]);
    // The model was told so, and given the sources.
    const system = answers()[0].body.messages[0].content as string;
    expect(system).toContain(`réponds uniquement ${NO_SOURCE_MARKER}`);
    expect(system).toContain('Congé pour décès d’un proche');
  });

  it('/v1/chat/completions streamed: a marker split across chunks is never shown', async () => {
    script.answer = answerWith('**AUC', 'UNE_SO', 'URCE**', ' (les sources parlent d’autre chose)');
    const { text, guichet, citations } = await chat(QUESTION, true);
    expect(text).toBe(NO_SOURCE_ANSWER);
    expect(guichet.no_source).toBe(true);
    expect(citations).toEqual([]);
  });

  it('an answer that merely starts like the marker is shown whole, streamed or not', async () => {
    script.answer = answerWith('Au', 'cune démarche : 3 jours ouvrables [1].');
    for (const stream of [true, false]) {
      const { text, guichet } = await chat(QUESTION, stream);
      expect(text).toBe('Aucune démarche : 3 jours ouvrables [1].');
      expect(guichet.no_source).toBe(false);
    }
  });

  it('guichet eval answers counts the model’s own "no source" as a refusal', async () => {
    script.answer = answerWith(NO_SOURCE_MARKER);
    const file = join(app.services.dir, 'questions.jsonl');
    writeFileSync(file, JSON.stringify({ id: 'q1', question: QUESTION, unanswerable: true }) + '\n');
    const o = {
      privacy: await app.services.privacy.forOrg('default'),
      files: [file],
      model: 'guichet',
      collections: await defaultCollectionsFor(app.services.store, 'default'),
      k: 5,
    };
    const judged = await evaluateAnswersFiles({ ...o, deps: answerDeps(app.services) });
    expect(judged.combined).toMatchObject({ unanswerable: 1, refused: 1 });
    // Premise: without the model's judgement, the sources are deemed to answer.
    const plain = await evaluateAnswersFiles({
      ...o,
      deps: { ...answerDeps(app.services), modelAbstention: false },
    });
    expect(plain.combined).toMatchObject({ unanswerable: 1, refused: 0 });
  });

  it('a conversation keeps the fixed sentence as the answer', async () => {
    script.answer = answerWith('AUCUNE_', 'SOURCE');
    const res = await fetch(`${app.url}/v1/conversations/new/messages`, {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({ content: QUESTION }),
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    const { text, guichet } = await readStream(new Response(body));
    expect(text).toBe(NO_SOURCE_ANSWER);
    expect(guichet.no_source).toBe(true);
    const id = /"conversation_id":"([^"]+)"/.exec(body)![1];
    const messages = await app.services.store.conversations.messages(id);
    expect(messages.at(-1)).toMatchObject({ role: 'assistant', content: NO_SOURCE_ANSWER, complete: true });
  });
});
