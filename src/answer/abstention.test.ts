import { describe, expect, it } from 'vitest';
import type { Store } from '../store/spec.js';
import type { PublicationHit } from '../usecases/search-knowledge.js';
import {
  abstentionSignals,
  judgeAbstention,
  unanswerableProbability,
  type LogisticModel,
} from './abstention.js';
import { ABSTENTION_MODEL } from './abstention-model.js';
import { analyze } from '../knowledge/analyze/french.js';

/** A store whose index knows some terms (chunk counts), and nothing else. */
function storeKnowing(df: Record<string, number>): Store {
  const byTerm = new Map(Object.entries(df).map(([w, n]) => [analyze(w)[0], n]));
  return {
    search: {
      termStats: async (terms: string[]) => ({
        chunks: 64_000,
        df: new Map(terms.filter((t) => byTerm.has(t)).map((t) => [t, byTerm.get(t)!])),
      }),
    },
  } as unknown as Store;
}

const hit = (title: string, text: string, score: number): PublicationHit => ({
  id: title,
  externalId: title,
  collectionId: 'service-public',
  title,
  description: '',
  url: null,
  kind: 'fiche',
  audience: null,
  date: null,
  breadcrumb: [],
  score,
  passages: [{ chunkId: title, path: [], text, score }],
});

describe('abstention signals', () => {
  const store = storeKnowing({ carte: 3000, identité: 900, renouveler: 400, mairie: 2000, gratuit: 300 });

  it('measures how the best results cover the question’s rare terms', async () => {
    const covered = await abstentionSignals(store, 'renouveler carte identité gratuit', [
      hit(
        'Carte d’identité',
        'Le renouvellement est gratuit : renouveler la carte d’identité en mairie.',
        12,
      ),
    ]);
    const missed = await abstentionSignals(store, 'renouveler carte identité gratuit', [
      hit('Permis de conduire', 'Le permis se demande en ligne.', 12),
    ]);
    expect(covered.rare_coverage).toBe(1);
    expect(missed.rare_coverage).toBe(0);
    expect(covered.top_score).toBeGreaterThan(0);
  });

  it('sees kinds of request that no fiche answers, not the words of one question', async () => {
    const s = await abstentionSignals(
      store,
      'La mairie de Trifouillis elle est ouverte aujourd’hui ? Vous pensez que Mme Zorglub est compétente ?',
      [],
    );
    expect(s).toMatchObject({ realtime: 1, local_office: 1, opinion: 1 });
    expect(s.unknown_names).toBeGreaterThanOrEqual(1);
    const own = await abstentionSignals(store, 'est-ce que la caf a bien reçu mon dossier ?', []);
    expect(own.own_file).toBe(1);
    const plain = await abstentionSignals(store, 'je pars en Italie, comment renouveler ma carte ?', []);
    expect(plain).toMatchObject({
      realtime: 0,
      here: 0,
      local_office: 0,
      own_file: 0,
      opinion: 0,
      unknown_names: 0,
    });
  });

  it('a model refuses at or above its threshold; no result at all is always refused', async () => {
    const model: LogisticModel = {
      features: ['realtime'],
      mean: [0],
      scale: [1],
      weights: [4],
      bias: -2,
      threshold: 0.5,
    };
    const base = await abstentionSignals(store, 'carte identité', []);
    expect(unanswerableProbability(model, { ...base, realtime: 1 })).toBeGreaterThan(0.5);
    expect(unanswerableProbability(model, { ...base, realtime: 0 })).toBeLessThan(0.5);
    expect((await judgeAbstention(store, 'carte identité', [])).refuse).toBe(true);
  });

  it('the shipped model is a fitted one (its signals exist, one weight each)', async () => {
    const s = await abstentionSignals(store, 'carte', []);
    expect(ABSTENTION_MODEL.features.length).toBeGreaterThan(3);
    for (const f of ABSTENTION_MODEL.features) expect(s).toHaveProperty(f);
    expect(ABSTENTION_MODEL.weights).toHaveLength(ABSTENTION_MODEL.features.length);
    expect(ABSTENTION_MODEL.threshold).toBeGreaterThan(0);
    expect(ABSTENTION_MODEL.threshold).toBeLessThan(1);
  });
});
