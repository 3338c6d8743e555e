import { withMatchingRecords } from '../answer/records.js';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import type { Store } from '../store/spec.js';
import {
  searchKnowledge,
  type PublicationHit,
  type QueryEmbedder,
  type SearchMethod,
} from './search-knowledge.js';

export const RagQuestion = z.object({
  id: z.string().optional(),
  question: z.string(),
  expected: z.array(z.string()).default([]),
  also_ok: z.array(z.string()).default([]),
  topic: z.string().optional(),
  unanswerable: z.boolean().optional(),
});
export type RagQuestion = z.infer<typeof RagQuestion>;

/**
 * The local format (eval/local): a hit is a top-k passage from `expected_doc` (or an
 * `also_acceptable_docs` file) that contains every `answer_contains` string.
 */
export const LocalQuestion = z.object({
  id: z.string().optional(),
  question: z.string(),
  expected_doc: z.string().min(1),
  also_acceptable_docs: z.array(z.string()).default([]),
  answer_contains: z.array(z.string().min(1)).min(1),
  category: z.string().optional(),
  national_hint: z.string().optional(),
});
export type LocalQuestion = z.infer<typeof LocalQuestion>;

/** One line of either format, told apart by its fields (`expected_doc` = local). */
export const AnyQuestion = z.union([
  LocalQuestion.extend({ format: z.literal('local').default('local') }),
  RagQuestion.extend({ format: z.literal('rag').default('rag') }),
]);
export type AnyQuestion = z.infer<typeof AnyQuestion>;

/** Case, accents and white space folded, Markdown emphasis, escapes and link targets removed. */
export function foldForMatch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|`|\\)/g, '')
    .replace(/[’‘]/g, "'")
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .trim();
}

/** The k best passages of a result list, by passage score, with the file they come from. */
export function topPassages(results: PublicationHit[], k: number): { doc: string; text: string }[] {
  return results
    .flatMap((r, rank) =>
      r.passages.map((p, i) => ({ doc: r.externalId, text: p.text, score: p.score, rank, i })),
    )
    .sort((a, b) => b.score - a.score || a.rank - b.rank || a.i - b.i)
    .slice(0, k)
    .map(({ doc, text }) => ({ doc, text }));
}

/** Rank (from 0) of the first passage that answers a local question, or -1. */
export function localHitRank(q: LocalQuestion, passages: { doc: string; text: string }[]): number {
  const docs = new Set([q.expected_doc, ...q.also_acceptable_docs]);
  const needles = q.answer_contains.map(foldForMatch);
  return passages.findIndex((p) => docs.has(p.doc) && needles.every((n) => foldForMatch(p.text).includes(n)));
}

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
      throw new AppError(
        'invalid_request',
        `${file}, ligne ${i + 1} : ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
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

/** What one question gave: the raw material of every report (per file and combined). */
export interface RetrievalOutcome {
  id: string;
  question: string;
  topic: string;
  unanswerable: boolean;
  /** Rank (from 0) of the first acceptable result within the first 10, or -1. */
  rank: number;
  hit: boolean;
  expected: string[];
  got: string[];
  top: string | null;
}

/** Searches every question of one file and records what each one gave. */
export async function retrievalOutcomes(
  o: Omit<EvaluateRetrievalOptions, 'file'> & { questions: AnyQuestion[] },
): Promise<RetrievalOutcome[]> {
  const out: RetrievalOutcome[] = [];
  for (const [i, q] of o.questions.entries()) {
    // The records of a record set matching the question's numbers are added, as /v1/search does.
    const results = await withMatchingRecords(
      o.store,
      await searchKnowledge({
        store: o.store,
        query: q.question,
        k: Math.max(10, o.k),
        collectionIds: o.collectionIds,
        method: o.method,
        embedQuery: o.embedQuery,
        rrfK: o.rrfK,
      }),
      q.question,
    );
    const ids = results.map((r) => r.externalId);
    const id = q.id ?? String(i + 1);
    const top = results[0]?.title ?? null;
    if (q.format === 'rag' && q.unanswerable) {
      out.push({
        id,
        question: q.question,
        topic: q.topic ?? 'autre',
        unanswerable: true,
        rank: -1,
        hit: false,
        expected: [],
        got: ids.slice(0, o.k),
        top,
      });
      continue;
    }
    let rank: number;
    let hit: boolean;
    let expected: string[];
    if (q.format === 'local') {
      expected = [q.expected_doc, ...q.also_acceptable_docs];
      rank = localHitRank(q, topPassages(results, 10));
      hit = rank >= 0 && rank < o.k;
    } else {
      const good = new Set([...q.expected, ...q.also_ok]);
      expected = [...good];
      rank = ids.slice(0, 10).findIndex((x) => good.has(x));
      hit = ids.slice(0, o.k).some((x) => good.has(x));
    }
    const topic = (q.format === 'local' ? q.category : q.topic) ?? 'autre';
    out.push({
      id,
      question: q.question,
      topic,
      unanswerable: false,
      rank,
      hit,
      expected,
      got: ids.slice(0, o.k),
      top,
    });
  }
  return out;
}

/** Aggregates outcomes (of one file or several) into a report. */
export function retrievalReport(k: number, outcomes: RetrievalOutcome[]): RetrievalReport {
  let hits = 0;
  let rr = 0;
  let n = 0;
  const topics: Record<string, { n: number; hits: number }> = {};
  const misses: RetrievalMiss[] = [];
  const unanswerable: RetrievalReport['unanswerable'] = { n: 0, top_titles: [] };
  for (const q of outcomes) {
    if (q.unanswerable) {
      unanswerable.n++;
      unanswerable.top_titles.push({ id: q.id, question: q.question, top: q.top });
      continue;
    }
    n++;
    if (q.rank >= 0) rr += 1 / (q.rank + 1);
    topics[q.topic] ??= { n: 0, hits: 0 };
    topics[q.topic].n++;
    if (q.hit) {
      hits++;
      topics[q.topic].hits++;
    } else {
      misses.push({ id: q.id, question: q.question, expected: q.expected, got: q.got });
    }
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    k,
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

export async function evaluateRetrieval(o: EvaluateRetrievalOptions): Promise<RetrievalReport> {
  const questions = readJsonl(o.file, AnyQuestion);
  return retrievalReport(o.k, await retrievalOutcomes({ ...o, questions }));
}

/** One report per file, and one over all their questions together. */
export interface MultiRetrievalReport {
  files: (RetrievalReport & { file: string })[];
  combined: RetrievalReport;
}

/** Several files of questions: each is read (and checked) before any search is run. */
export async function evaluateRetrievalFiles(
  o: Omit<EvaluateRetrievalOptions, 'file'> & { files: string[] },
): Promise<MultiRetrievalReport> {
  const sets = o.files.map((file) => ({ file, questions: readJsonl(file, AnyQuestion) }));
  const files: MultiRetrievalReport['files'] = [];
  const all: RetrievalOutcome[] = [];
  for (const { file, questions } of sets) {
    const outcomes = await retrievalOutcomes({ ...o, questions });
    all.push(...outcomes);
    files.push({ file, ...retrievalReport(o.k, outcomes) });
  }
  return { files, combined: retrievalReport(o.k, all) };
}
