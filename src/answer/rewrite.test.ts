import { afterEach, describe, expect, it } from 'vitest';
import { parseProvidersConfig } from '../models/config.js';
import { createModelStack } from '../models/create-model-stack.js';
import { completion, sendJson, startUpstream, type FakeUpstream } from '../models/testing/fake-upstream.js';
import type { PublicationHit } from '../usecases/search-knowledge.js';
import { fuseRankedLists } from '../knowledge/search/fuse.js';
import { ExtractiveModel } from './extractive.js';
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
  return { rewriter: new ModelQueryRewriter(router, 'up:m1', { pseudonymise: !local }) };
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

  it('sends the conversation in clear when told not to pseudonymise (local target or policy)', async () => {
    const { rewriter } = await rewriterAnswering(() => 'congé de deuil', true);
    expect(
      await rewriter.rewrite([{ role: 'user', content: 'Mme Fatoumata Diallo : deuil' }], live()),
    ).toEqual(['congé de deuil']);
    expect(upstream!.requests[0].body.messages[1].content).toContain('Fatoumata Diallo');
  });

  it('a failing model throws (the retriever then searches the question alone)', async () => {
    const { rewriter } = await rewriterAnswering(() => null);
    await expect(
      rewriter.rewrite([{ role: 'user', content: 'carte grise perdue' }], live()),
    ).rejects.toThrow();
  });

  it('an alias falling back to the built-in extracts gives no query', async () => {
    const { router } = createModelStack(parseProvidersConfig({ providers: [], models: [] }));
    router.register(new ExtractiveModel());
    const rewriter = new ModelQueryRewriter(router, 'guichet:extractive', { pseudonymise: false });
    expect(await rewriter.rewrite([{ role: 'user', content: 'carte grise perdue' }], live())).toEqual([]);
  });

  it('fuses the publication lists of several queries by reciprocal rank', () => {
    const h = (id: string) => ({ id }) as PublicationHit;
    const fused = fuseRankedLists(
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
