import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/index.js';
import { searchKnowledge } from '../src/usecases/search-knowledge.js';
import { fmt, percentile } from './stats.js';
import { machine, writeSection } from './report.js';

const RAG_DEV = fileURLToPath(new URL('../../shared/eval/rag-dev.jsonl', import.meta.url));

/** Warm search latency over the dev questions (in-process, 5 rounds, the first one discarded). */
export async function benchSearch(o: {
  dataDir: string;
  databaseUrl?: string;
  label: string;
  target: string;
}): Promise<number[]> {
  const questions = readFileSync(RAG_DEV, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { question: string }).question);
  const store = await openStore({ dataDir: o.dataDir, databaseUrl: o.databaseUrl });
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const query of questions) {
      const t = performance.now();
      await searchKnowledge({ store, query, k: 5, collectionIds: ['service-public'] });
      if (round > 0) times.push(performance.now() - t);
    }
  }
  await store.close();
  writeSection(
    `Recherche (${o.label})`,
    `Machine : ${machine()}

${times.length} recherches (questions de \`rag-dev.jsonl\`, 4 passes à chaud, k = 5, lexical) :

| p50 | p95 | p99 | objectif |
|---|---|---|---|
| ${fmt(percentile(times, 50))} ms | ${fmt(percentile(times, 95))} ms | ${fmt(percentile(times, 99))} ms | p95 ≤ ${o.target} |

Commande : \`npm run bench -- search\`.`,
  );
  console.log(
    `search ${o.label}: p50 ${fmt(percentile(times, 50))} p95 ${fmt(percentile(times, 95))} p99 ${fmt(percentile(times, 99))}`,
  );
  return times;
}
