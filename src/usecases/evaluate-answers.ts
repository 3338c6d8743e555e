import type { AnswerPrivacy } from '../privacy/answer-privacy.js';
import type { AnswerDeps } from './answer-question.js';
import { completeAnswer, prepareAnswer } from './answer-question.js';
import { z } from 'zod';
import { foldForMatch, LocalQuestion, readJsonl, RagQuestion } from './evaluate-retrieval.js';

/**
 * A question of either format: the national one (`expected`, `also_ok`, optional `key_facts`) or
 * the local one (`expected_doc`, `also_acceptable_docs`, `answer_contains`), told apart by
 * `expected_doc`. Both become expected ids + strings the answer must contain.
 */
const AnswerQuestion = z.union([
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
]);

/** Whether the answer contains every string, case, accents and white space folded. */
export function containsAll(answer: string, facts: string[]): boolean {
  const text = foldForMatch(answer);
  return facts.every((f) => text.includes(foldForMatch(f)));
}

export interface AnswerEvalReport {
  model: string;
  answerable: number;
  /** Share of answerable questions whose answer cites (cited: true) an expected fiche. */
  grounded_rate: number;
  unanswerable: number;
  /** Share of unanswerable questions answered "no source". */
  refusal_rate: number;
  /** Answerable questions wrongly answered "no source". */
  false_refusals: number;
  /** Answerable questions with `answer_contains` (local format) or `key_facts` (national). */
  with_facts: number;
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

/** Asks every question through the answer pipeline and checks citations and refusals. */
export async function evaluateAnswers(o: EvaluateAnswersOptions): Promise<AnswerEvalReport> {
  const questions = readJsonl(o.file, AnswerQuestion);
  let answerable = 0;
  let grounded = 0;
  let unanswerable = 0;
  let refused = 0;
  let falseRefusals = 0;
  let withFacts = 0;
  let factsFound = 0;
  const failures: AnswerEvalReport['failures'] = [];
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
    const noSource = plan.fixedAnswer !== null;
    if (q.unanswerable) {
      unanswerable++;
      if (noSource) refused++;
      else failures.push({ id, question: q.question, reason: 'réponse donnée à une question sans source' });
      continue;
    }
    answerable++;
    if (q.facts.length) {
      withFacts++;
      if (containsAll(result.text, q.facts)) factsFound++;
      else failures.push({ id, question: q.question, reason: `réponse sans : ${q.facts.join(' | ')}` });
    }
    const good = new Set([...q.expected, ...q.also_ok]);
    const cited = (result.citations ?? []).filter((c) => c.cited).map((c) => c.id);
    if (cited.some((c) => good.has(c))) grounded++;
    else {
      if (noSource) falseRefusals++;
      failures.push({
        id,
        question: q.question,
        reason: noSource ? 'aucune source retenue' : `cite ${cited.join(', ') || 'rien'}`,
      });
    }
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    model: o.model,
    answerable,
    grounded_rate: answerable ? round(grounded / answerable) : 0,
    unanswerable,
    refusal_rate: unanswerable ? round(refused / unanswerable) : 0,
    false_refusals: falseRefusals,
    with_facts: withFacts,
    facts_rate: withFacts ? round(factsFound / withFacts) : 0,
    failures,
  };
}
