/**
 * Quality gates on the whole built-in corpus, measured the way the issues define them, over both
 * dev sets together (eval/rag-dev.jsonl + eval/rag-dev2.jsonl: 165 answerable, 35 unanswerable):
 * retrieval (lexical only, no model) and answers with the extractive model (citations, refusals).
 *
 * The gates are the figures measured when they were set (docs/adr/0002), a little under, so that a
 * regression fails. Measured: rag-dev 0.907 / 0.757, rag-dev2 0.833 / 0.668, both 0.867 / 0.708
 * (issue 13's targets: hit@5 ≥ 0.85, MRR@10 ≥ 0.65); answers grounded 0.818, 29 / 35 refused,
 * 6 / 165 false refusals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModels } from '../../src/answer/models.js';
import { loadConfig } from '../../src/config/load.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/spec.js';
import { evaluateAnswersFiles } from '../../src/usecases/evaluate-answers.js';
import { evaluateRetrievalFiles } from '../../src/usecases/evaluate-retrieval.js';
import { ensureCorpus, RAG_DEV, RAG_DEV2 } from '../helpers/corpus.js';
import { ROOT } from '../helpers/cli.js';
import { createRetriever } from '../../src/usecases/retriever.js';

let store: Store;

beforeAll(async () => {
  store = openSqliteStore(await ensureCorpus());
}, 900_000);

describe('quality on both dev sets', () => {
  it('lexical retrieval: hit@5 ≥ 0.86 and MRR@10 ≥ 0.70 over the 165 answerable questions', async () => {
    const report = await evaluateRetrievalFiles({
      store,
      files: [RAG_DEV, RAG_DEV2],
      k: 5,
      collectionIds: ['service-public'],
    });
    for (const f of [...report.files, { file: 'both', ...report.combined }])
      console.log(`${f.file}: hit@5 ${f.recall_at_k}, MRR@10 ${f.mrr_at_10}, n=${f.n}`);
    expect(report.combined.n).toBe(165);
    expect(report.combined.unanswerable.n).toBe(35);
    expect(report.combined.recall_at_k).toBeGreaterThanOrEqual(0.86);
    expect(report.combined.mrr_at_10).toBeGreaterThanOrEqual(0.7);
    // Each set keeps its own level: the first one, on which the search was first tuned, and the second.
    expect(report.files[0].recall_at_k).toBeGreaterThanOrEqual(0.9);
    expect(report.files[0].mrr_at_10).toBeGreaterThanOrEqual(0.75);
    expect(report.files[1].recall_at_k).toBeGreaterThanOrEqual(0.83);
    expect(report.files[1].mrr_at_10).toBeGreaterThanOrEqual(0.66);
    // The figures BENCHMARKS.md gives for rag-dev2 (and the agents' course quotes) are these ones.
    const bench = readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8').split(
      '## Réponses sur les questions réelles',
    )[1];
    const row = (label: RegExp) =>
      bench
        .split('\n')
        .find((l) => label.test(l))
        ?.split('|')[2]
        ?.trim();
    expect(row(/^\| recall@5/)).toBe(report.files[1].recall_at_k.toFixed(3));
    expect(row(/^\| MRR@10/)).toBe(report.files[1].mrr_at_10.toFixed(3));
  }, 300_000);

  it('extractive answers: ≥ 80 % of the unanswerable refused, false refusals ≤ 5 %, near-misses told the sources are older', async () => {
    const config = loadConfig({ env: {}, overrides: { log_level: 'silent' } });
    const models = buildModels(config, {});
    const { combined: r } = await evaluateAnswersFiles({
      deps: { router: models.router, retriever: createRetriever({ store, embedder: null, rrfK: 20 }) },
      privacy: { pseudonymise: true },
      files: [RAG_DEV, RAG_DEV2],
      model: 'guichet',
      collections: ['service-public'],
      k: 5,
    });
    console.log(
      `grounded ${r.grounded_rate}, refused ${r.refused}/${r.unanswerable}, false refusals ${r.false_refusals}/${r.answerable}, near-miss honest ${r.near_miss.honest}/${r.near_miss.n}`,
    );
    expect(r.answerable).toBe(165);
    expect(r.unanswerable).toBe(35);
    expect(r.refusal_rate).toBeGreaterThanOrEqual(0.8);
    expect(r.false_refusal_rate).toBeLessThanOrEqual(0.05);
    expect(r.grounded_rate).toBeGreaterThanOrEqual(0.81);
    expect(r.near_miss.n).toBeGreaterThanOrEqual(4);
    expect(r.near_miss.honest).toBe(r.near_miss.n);
  }, 600_000);
});
