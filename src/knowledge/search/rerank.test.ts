import { afterEach, describe, expect, it } from 'vitest';
import { parseProvidersConfig } from '../../models/config.js';
import { createEgressFetch } from '../../models/http-client.js';
import { createOpenAiCompatibleProvider } from '../../models/providers/openai-compatible/index.js';
import {
  sendJson,
  startUpstream,
  type FakeUpstream,
  type Handler,
} from '../../models/testing/fake-upstream.js';
import { Pseudonymiser } from '../../privacy/pseudonymise.js';
import { HttpReranker, LexicalReranker, type RerankCandidate } from './rerank.js';

let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

async function provider(handler: Handler) {
  upstream = await startUpstream(handler);
  const config = parseProvidersConfig({
    providers: [{ id: 'albert', type: 'openai-compatible', base_url: upstream.baseUrl, models: ['rr'] }],
  });
  return createOpenAiCompatibleProvider(config.providers[0] as never, {
    egress: createEgressFetch([upstream.origin]),
  });
}

const candidates: RerankCandidate[] = [
  {
    title: 'Carte grise',
    description: 'Immatriculer un véhicule',
    passages: ['En ligne sur le site de l’ANTS.'],
    score: 9,
  },
  {
    title: 'Congé pour enfant malade',
    description: 'Salarié du privé',
    passages: ['3 jours par an.'],
    score: 5,
  },
  {
    title: 'Prime d’activité',
    description: 'Complément de revenus',
    passages: ['Versée par la CAF.'],
    score: 4,
  },
];

describe('rerankers', () => {
  it('HTTP: scores from /v1/rerank reorder the candidates; the question is pseudonymised before it leaves', async () => {
    const p = await provider((req, res) =>
      sendJson(res, 200, {
        results: [
          { index: 1, relevance_score: 0.93 },
          { index: 0, relevance_score: 0.1 },
          { index: 2, relevance_score: 0.4 },
        ],
      }),
    );
    const pseudonymiser = new Pseudonymiser();
    const reranker = new HttpReranker(
      (q, docs, signal) => p.rerank('rr', q, docs, signal ?? new AbortController().signal),
      {
        pseudonymise: (t) => pseudonymiser.pseudonymise(t),
      },
    );
    const scores = await reranker.rerank(
      'Mme Fatoumata Diallo, 06 12 34 56 78 : mon fils est malade, je peux rester chez moi ?',
      candidates,
    );
    const order = candidates
      .map((c, i) => ({ t: c.title, s: scores[i] }))
      .sort((a, b) => b.s - a.s)
      .map((x) => x.t);
    expect(order).toEqual(['Congé pour enfant malade', 'Prime d’activité', 'Carte grise']);
    const sent = upstream!.requests[0];
    expect(sent.path).toBe('/v1/rerank');
    expect(sent.body.model).toBe('rr');
    expect(sent.body.documents).toHaveLength(3);
    expect(sent.body.documents[1]).toContain('Congé pour enfant malade');
    expect(JSON.stringify(sent.body)).not.toMatch(/Diallo|06 12 34 56 78/);
  });

  it('HTTP: a failing or malformed provider throws (the retriever keeps the first stage)', async () => {
    const p = await provider((req, res) =>
      sendJson(res, 200, { results: [{ index: 7, relevance_score: 1 }] }),
    );
    const reranker = new HttpReranker((q, docs, signal) =>
      p.rerank('rr', q, docs, signal ?? new AbortController().signal),
    );
    await expect(reranker.rerank('carte grise', candidates)).rejects.toThrow(/hors limites/);
    upstream!.handler = (req, res) => sendJson(res, 503, { error: { message: 'indisponible' } });
    await expect(reranker.rerank('carte grise', candidates)).rejects.toThrow(/HTTP 503/);
  });

  it('HTTP, Albert API shape: prompt/input out, data[{index, score}] back', async () => {
    const p = await provider((req, res) =>
      sendJson(res, 200, {
        object: 'list',
        data: [
          { object: 'rerank', index: 2, score: 0.9 },
          { object: 'rerank', index: 0, score: 0.2 },
          { object: 'rerank', index: 1, score: 0.5 },
        ],
      }),
    );
    const scores = await new HttpReranker((q, docs, signal) =>
      p.rerank('rr', q, docs, signal ?? new AbortController().signal, 'albert'),
    ).rerank('prime d’activité', candidates);
    expect(scores).toEqual([1, 2, 3]);
    const sent = upstream!.requests[0].body;
    expect(sent).toMatchObject({ model: 'rr', prompt: 'prime d’activité' });
    expect(sent.input).toHaveLength(3);
    expect(sent.query).toBeUndefined();
  });

  it('HTTP: only the question and private documents are pseudonymised (the national corpus is public)', async () => {
    const p = await provider((req, res) =>
      sendJson(res, 200, { results: [0, 1, 2].map((index) => ({ index, relevance_score: 1 - index })) }),
    );
    const pseudonymiser = new Pseudonymiser();
    await new HttpReranker(
      (q, docs, signal) => p.rerank('rr', q, docs, signal ?? new AbortController().signal),
      {
        pseudonymise: (t) => pseudonymiser.pseudonymise(t),
      },
    ).rerank('dossier de M. Jean Dupont', [
      { ...candidates[0], passages: ['Contact : M. Jean Dupont, mairie.'] },
      { ...candidates[1], passages: ['Note de M. Jean Dupont, 06 12 34 56 78.'], private: true },
      candidates[2],
    ]);
    const sent = upstream!.requests[0].body;
    expect(sent.query).not.toContain('Dupont');
    expect(sent.documents[0]).toContain('Jean Dupont');
    expect(sent.documents[1]).not.toMatch(/Dupont|06 12 34 56 78/);
  });

  it('lexical: a publication covering every part of the question rises above one repeating one term', async () => {
    const reranker = new LexicalReranker(async (terms) => ({
      chunks: 1000,
      df: new Map(terms.map((t) => [t, 10])),
    }));
    const scores = await reranker.rerank('enfant malade congé salarié', [
      { title: 'Carte grise', description: '', passages: ['enfant enfant enfant'], score: 10 },
      { title: 'Congé pour enfant malade', description: 'Salarié du privé', passages: [], score: 8 },
    ]);
    expect(scores[1]).toBeGreaterThan(scores[0]);
  });
});
