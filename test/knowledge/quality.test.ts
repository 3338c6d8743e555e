/**
 * Quality gates on the whole built-in corpus, measured the way the issues define them:
 * retrieval on the dev questions (lexical only) and grounded answers with the extractive model.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModels } from '../../src/answer/models.js';
import { loadConfig } from '../../src/config/load.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/spec.js';
import { evaluateAnswers } from '../../src/usecases/evaluate-answers.js';
import { evaluateRetrieval } from '../../src/usecases/evaluate-retrieval.js';
import { createRetriever } from '../../src/usecases/retriever.js';
import { ensureCorpus, RAG_DEV } from '../helpers/corpus.js';

let store: Store;

beforeAll(async () => {
  store = openSqliteStore(await ensureCorpus());
}, 600_000);

describe('quality on the dev questions', () => {
  it('lexical retrieval: recall@5 ≥ 0.85 and MRR@10 ≥ 0.60', async () => {
    const report = await evaluateRetrieval({ store, file: RAG_DEV, k: 5, collectionIds: ['service-public'] });
    console.log(`recall@5 ${report.recall_at_k}, MRR@10 ${report.mrr_at_10}, n=${report.n}`);
    expect(report.n).toBe(75);
    expect(report.recall_at_k).toBeGreaterThanOrEqual(0.85);
    expect(report.mrr_at_10).toBeGreaterThanOrEqual(0.6);
  });

  it('extractive answers cite an expected fiche for ≥ 85 % and refuse the unanswerable ones', async () => {
    const config = loadConfig({ env: {}, overrides: { log_level: 'silent' } });
    const models = buildModels(config, {});
    const report = await evaluateAnswers({
      deps: { router: models.router, retriever: createRetriever({ store, embedder: null, rrfK: 20 }) },
      privacy: { pseudonymise: true },
      file: RAG_DEV,
      model: 'guichet',
      collections: ['service-public'],
      k: 5,
    });
    console.log(
      `grounded ${report.grounded_rate}, refusals ${report.refusal_rate}, false refusals ${report.false_refusals}`,
    );
    expect(report.grounded_rate).toBeGreaterThanOrEqual(0.85);
    expect(report.refusal_rate).toBe(1);
  });
});
