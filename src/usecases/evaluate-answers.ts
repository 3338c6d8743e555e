import type { AnswerPrivacy } from '../privacy/answer-privacy.js';
import { saysSourcesPredate, yearAfterCorpus } from '../answer/temporal.js';
import type { AnswerDeps } from './answer-question.js';
import { completeAnswer, corpusDateOf, prepareAnswer } from './answer-question.js';
import { z } from 'zod';
import { foldForMatch, LocalQuestion, readJsonl, RagQuestion } from './evaluate-retrieval.js';

/**
 * A question of either format: the national one (`expected`, `also_ok`, optional `key_facts`) or
 * the local one (`expected_doc`, `also_acceptable_docs`, `answer_contains`), told apart by
 * `expected_doc`. Both become expected ids + strings the answer must contain.
 */
const answerQuestionSchemas = [
  LocalQuestion.transform((q) => ({
    id: q.id,
    question: q.question,
    expected: [q.expected_doc],
    also_ok: q.also_acceptable_docs,
    unanswerable: false as boolean | undefined,
    facts: q.answer_contains,
  })),
  RagQuestion.extend({ key_facts: z.array(z.string().min(1)).default([]) }).transform((q) => ({
    id: q.id,
    question: q.question,
    expected: q.expected,
    also_ok: q.also_ok,
    unanswerable: q.unanswerable,
    facts: q.key_facts,
  })),
] as const;
/** The format is told by `expected_doc`, so that a bad line's error names the field at fault. */
const AnswerQuestion = z.unknown().transform((value, ctx) => {
  const local = typeof value === 'object' && value !== null && 'expected_doc' in value;
  const parsed = answerQuestionSchemas[local ? 0 : 1].safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

/** Whether the answer contains every string, case, accents and white space folded. */
export function containsAll(answer: string, facts: string[]): boolean {
  const text = foldForMatch(answer);
  return facts.every((f) => text.includes(foldForMatch(f)));
}

export interface AnswerEvalReport {
  model: string;
  answerable: number;
  /** Answerable questions whose answer cites (cited: true) an expected fiche. */
  grounded: number;
  /** Share of answerable questions whose answer cites (cited: true) an expected fiche. */
  grounded_rate: number;
  unanswerable: number;
  /** Unanswerable questions answered "no source" (or told the sources predate the year asked). */
  refused: number;
  /** Share of unanswerable questions answered "no source". */
  refusal_rate: number;
  /** Answerable questions wrongly answered "no source". */
  false_refusals: number;
  /** Share of answerable questions wrongly answered "no source". */
  false_refusal_rate: number;
  /**
   * Near-miss questions: unanswerable ones naming a year after the corpus's newest fiche. `honest`
   * counts the answers that say the sources predate that year.
   */
  near_miss: { n: number; honest: number; ids_not_honest: string[] };
  /** Answerable questions with `answer_contains` (local format) or `key_facts` (national). */
  with_facts: number;
  /** Questions among those whose answer contains every string. */
  facts_found: number;
  /** Share of those whose answer contains every string (case, accents and white space folded). */
  facts_rate: number;
  failures: { id: string; question: string; reason: string }[];
}

export interface EvaluateAnswersOptions {
  deps: AnswerDeps;
  /** The policy answers are asked under (pseudonymisation, allowed targets). */
  privacy: AnswerPrivacy;
  file: string;
  model: string;
  collections: string[];
  k: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Rates recomputed from the counts (one file, or several added together). */
function withRates(r: AnswerEvalReport): AnswerEvalReport {
  return {
    ...r,
    grounded_rate: r.answerable ? round(r.grounded / r.answerable) : 0,
    refusal_rate: r.unanswerable ? round(r.refused / r.unanswerable) : 0,
    false_refusal_rate: r.answerable ? round(r.false_refusals / r.answerable) : 0,
    facts_rate: r.with_facts ? round(r.facts_found / r.with_facts) : 0,
  };
}

/** A report with nothing counted yet (one file's start, or the sum's). */
function emptyReport(model: string): AnswerEvalReport {
  return {
    model,
    answerable: 0,
    grounded: 0,
    grounded_rate: 0,
    unanswerable: 0,
    refused: 0,
    refusal_rate: 0,
    false_refusals: 0,
    false_refusal_rate: 0,
    near_miss: { n: 0, honest: 0, ids_not_honest: [] },
    with_facts: 0,
    facts_found: 0,
    facts_rate: 0,
    failures: [],
  };
}

/** Asks every question through the answer pipeline and checks citations and refusals. */
export async function evaluateAnswers(o: EvaluateAnswersOptions): Promise<AnswerEvalReport> {
  const questions = readJsonl(o.file, AnswerQuestion);
  const corpusDate = await corpusDateOf(o.deps.retriever.store);
  const r = emptyReport(o.model);
  for (const [i, q] of questions.entries()) {
    const id = q.id ?? String(i + 1);
    const plan = await prepareAnswer(o.deps, {
      model: o.model,
      messages: [{ role: 'user', content: q.question }],
      retrieval: { collections: o.collections, k: o.k },
      params: {},
      signal: new AbortController().signal,
      privacy: o.privacy,
    });
    const result = await completeAnswer(o.deps, plan);
    const noSource = plan.fixedAnswer !== null || result.noSource === true;
    if (q.unanswerable) {
      r.unanswerable++;
      const year = yearAfterCorpus(q.question, corpusDate);
      if (year !== null) {
        r.near_miss.n++;
        if (saysSourcesPredate(result.text, year)) r.near_miss.honest++;
        else r.near_miss.ids_not_honest.push(id);
      }
      if (noSource) r.refused++;
      else r.failures.push({ id, question: q.question, reason: 'réponse donnée à une question sans source' });
      continue;
    }
    r.answerable++;
    if (q.facts.length) {
      r.with_facts++;
      if (containsAll(result.text, q.facts)) r.facts_found++;
      else r.failures.push({ id, question: q.question, reason: `réponse sans : ${q.facts.join(' | ')}` });
    }
    const good = new Set([...q.expected, ...q.also_ok]);
    const cited = (result.citations ?? []).filter((c) => c.cited).map((c) => c.id);
    if (cited.some((c) => good.has(c))) r.grounded++;
    else {
      if (noSource) r.false_refusals++;
      r.failures.push({
        id,
        question: q.question,
        reason: noSource ? 'aucune source retenue' : `cite ${cited.join(', ') || 'rien'}`,
      });
    }
  }
  return withRates(r);
}

/** One report per file, and their sum. */
export interface MultiAnswerEvalReport {
  files: (AnswerEvalReport & { file: string })[];
  combined: AnswerEvalReport;
}

/** Several files of questions: each is read (and checked) before any question is asked. */
export async function evaluateAnswersFiles(
  o: Omit<EvaluateAnswersOptions, 'file'> & { files: string[] },
): Promise<MultiAnswerEvalReport> {
  for (const file of o.files) readJsonl(file, AnswerQuestion);
  const files: MultiAnswerEvalReport['files'] = [];
  for (const file of o.files) files.push({ file, ...(await evaluateAnswers({ ...o, file })) });
  const combined = files.reduce<AnswerEvalReport>(
    (sum, f) => ({
      ...sum,
      answerable: sum.answerable + f.answerable,
      grounded: sum.grounded + f.grounded,
      unanswerable: sum.unanswerable + f.unanswerable,
      refused: sum.refused + f.refused,
      false_refusals: sum.false_refusals + f.false_refusals,
      near_miss: {
        n: sum.near_miss.n + f.near_miss.n,
        honest: sum.near_miss.honest + f.near_miss.honest,
        ids_not_honest: [...sum.near_miss.ids_not_honest, ...f.near_miss.ids_not_honest],
      },
      with_facts: sum.with_facts + f.with_facts,
      facts_found: sum.facts_found + f.facts_found,
      failures: [...sum.failures, ...f.failures],
    }),
    emptyReport(o.model),
  );
  return { files, combined: withRates(combined) };
}
