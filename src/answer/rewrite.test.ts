import { afterEach, describe, expect, it } from 'vitest';
import { parseProvidersConfig } from '../models/config.js';
import { createModelStack } from '../models/create-model-stack.js';
import { completion, sendJson, startUpstream, type FakeUpstream } from '../models/testing/fake-upstream.js';
import type { PublicationHit } from '../usecases/search-knowledge.js';
import { fusePublications } from '../usecases/answer-question.js';
import { ModelQueryRewriter, REWRITE_INSTRUCTIONS } from './rewrite.js';

let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

async function rewriterAnswering(answer: (userText: string) => string | null, local = false) {
  upstream = await startUpstream((req, res) => {
    const text = answer(req.body.messages[1].content);
    if (text === null) return sendJson(res, 500, { error: { message: 'panne' } });
    sendJson(res, 200, completion(text));
  });
  const config = parseProvidersConfig({
    providers: [{ id: 'up', type: 'openai-compatible', base_url: upstream.baseUrl, models: ['m1'], local }],
    models: [],
  });
  const { router } = createModelStack(config, { breaker: { failureThreshold: 100, cooldownMs: 1 } as never });
  const errors: unknown[] = [];
  return { rewriter: new ModelQueryRewriter(router, 'up:m1', { onError: (e) => errors.push(e) }), errors };
}

const live = () => new AbortController().signal;

describe('query rewriting by a model', () => {
  it('sends the pseudonymised conversation, returns up to 3 clean queries, restored', async () => {
    const { rewriter } = await rewriterAnswering((text) => {
      const person = /\[PERSONNE_\d+\]/.exec(text)?.[0] ?? 'X';
      return `1. restitution du dépôt de garantie\n- « bailleur refuse de rendre la caution »\nlettre de ${person}\nune quatrième\n`;
    });
    const queries = await rewriter.rewrite(
      [
        { role: 'user', content: 'Bonjour, je suis Mme Fatoumata Diallo, 06 12 34 56 78.' },
        { role: 'assistant', content: 'Bonjour, que puis-je faire ?' },
        { role: 'user', content: 'mon proprio garde ma caution depuis 3 mois' },
      ],
      live(),
    );
    expect(queries).toEqual([
      'restitution du dépôt de garantie',
      'bailleur refuse de rendre la caution',
      'lettre de Fatoumata Diallo',
    ]);
    const sent = upstream!.requests[0].body;
    expect(sent.messages[0]).toEqual({ role: 'system', content: REWRITE_INSTRUCTIONS });
    expect(sent.messages[1].content).toMatch(
      /Usager : .*\nConseiller : .*\nUsager : mon proprio garde ma caution/,
    );
    expect(JSON.stringify(sent)).not.toMatch(/Diallo|06 12 34 56 78/);
    expect(sent.temperature).toBe(0);
  });

  it('a failing model gives no rewritten query (the question is searched as it is)', async () => {
    const { rewriter, errors } = await rewriterAnswering(() => null);
    expect(await rewriter.rewrite([{ role: 'user', content: 'carte grise perdue' }], live())).toEqual([]);
    expect(errors.length).toBe(1);
  });

  it('fuses the publication lists of several queries by reciprocal rank', () => {
    const h = (id: string) => ({ id }) as PublicationHit;
    const fused = fusePublications(
      [
        [h('a'), h('b'), h('c')],
        [h('c'), h('d')],
        [h('c'), h('b')],
      ],
      3,
    );
    expect(fused.map((x) => x.id)).toEqual(['c', 'b', 'a']);
  });
});
