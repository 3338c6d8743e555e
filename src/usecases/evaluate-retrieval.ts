import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import type { Store } from '../store/spec.js';
import { searchKnowledge, type QueryEmbedder, type SearchMethod } from './search-knowledge.js';

export const RagQuestion = z.object({
  id: z.string().optional(),
  question: z.string(),
  expected: z.array(z.string()).default([]),
  also_ok: z.array(z.string()).default([]),
  topic: z.string().optional(),
  unanswerable: z.boolean().optional(),
});
export type RagQuestion = z.infer<typeof RagQuestion>;

export interface RetrievalMiss {
  id: string;
  question: string;
  expected: string[];
  got: string[];
}

export interface RetrievalReport {
  k: number;
  n: number;
  recall_at_k: number;
  mrr_at_10: number;
  per_topic: Record<string, { n: number; recall_at_k: number }>;
  unanswerable: { n: number; top_titles: { id: string; question: string; top: string | null }[] };
  misses: RetrievalMiss[];
}

/** Reads a JSONL file of questions; a bad line is reported with its number, never skipped. */
export function readJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AppError('invalid_request', `Fichier de questions illisible : ${file}`);
  }
  const out: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      throw new AppError('invalid_request', `${file}, ligne ${i + 1} : JSON invalide.`);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new AppError('invalid_request', `${file}, ligne ${i + 1} : ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    }
    out.push(parsed.data);
  });
  return out;
}

export interface EvaluateRetrievalOptions {
  store: Store;
  file: string;
  k: number;
  collectionIds: string[];
  method?: SearchMethod;
  embedQuery?: QueryEmbedder;
  rrfK?: number;
}

export async function evaluateRetrieval(o: EvaluateRetrievalOptions): Promise<RetrievalReport> {
  const questions = readJsonl(o.file, RagQuestion);
  let hits = 0;
  let rr = 0;
  let n = 0;
  const topics: Record<string, { n: number; hits: number }> = {};
  const misses: RetrievalMiss[] = [];
  const unanswerable: RetrievalReport['unanswerable'] = { n: 0, top_titles: [] };
  for (const [i, q] of questions.entries()) {
    const results = await searchKnowledge({
      store: o.store,
      query: q.question,
      k: Math.max(10, o.k),
      collectionIds: o.collectionIds,
      method: o.method,
      embedQuery: o.embedQuery,
      rrfK: o.rrfK,
    });
    const ids = results.map((r) => r.externalId);
    if (q.unanswerable) {
      unanswerable.n++;
      unanswerable.top_titles.push({ id: q.id ?? String(i + 1), question: q.question, top: results[0]?.title ?? null });
      continue;
    }
    n++;
    const good = new Set([...q.expected, ...q.also_ok]);
    const rank = ids.slice(0, 10).findIndex((id) => good.has(id));
    const hit = ids.slice(0, o.k).some((id) => good.has(id));
    if (rank >= 0) rr += 1 / (rank + 1);
    const topic = q.topic ?? 'autre';
    topics[topic] ??= { n: 0, hits: 0 };
    topics[topic].n++;
    if (hit) {
      hits++;
      topics[topic].hits++;
    } else {
      misses.push({ id: q.id ?? String(i + 1), question: q.question, expected: [...good], got: ids.slice(0, o.k) });
    }
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    k: o.k,
    n,
    recall_at_k: n ? round(hits / n) : 0,
    mrr_at_10: n ? round(rr / n) : 0,
    per_topic: Object.fromEntries(
      Object.entries(topics).map(([t, v]) => [t, { n: v.n, recall_at_k: round(v.hits / v.n) }]),
    ),
    unanswerable,
    misses,
  };
}
