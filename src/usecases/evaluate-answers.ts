import type { AnswerPrivacy } from '../privacy/answer-privacy.js';
import type { AnswerDeps } from './answer-question.js';
import { completeAnswer, prepareAnswer } from './answer-question.js';
import { readJsonl, RagQuestion } from './evaluate-retrieval.js';

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
  const questions = readJsonl(o.file, RagQuestion);
  let answerable = 0;
  let grounded = 0;
  let unanswerable = 0;
  let refused = 0;
  let falseRefusals = 0;
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
    failures,
  };
}
