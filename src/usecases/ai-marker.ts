/**
 * The machine-readable marking of AI-generated answers (AI Act article 50): every answer the API
 * or the CLI returns carries `ai_generated: true` and whether an agent has reviewed it. The HTTP
 * header and the list of answer routes are in `http/ai-marking.ts`.
 */
import type { AnswerResult } from './answer-question.js';

/** The `guichet` marker of a fresh answer: AI-generated, not reviewed, by which model, from how many sources. */
export function marker(r: AnswerResult, noSource: boolean) {
  return {
    ai_generated: true as const,
    reviewed: false,
    model: r.servedBy?.key ?? null,
    sources: r.citations?.length ?? 0,
    no_source: noSource || r.noSource === true,
    ...(r.privacy
      ? { pseudonymised: r.privacy.pseudonymised, unknown_placeholders: r.privacy.unknownPlaceholders }
      : {}),
  };
}

/** The marker of a stored answer: reviewed once an agent ticked « J'ai relu cette réponse ». */
export function storedAnswerMarker(m: { reviewedAt: string | null }) {
  return { ai_generated: true as const, reviewed: m.reviewedAt !== null, reviewed_at: m.reviewedAt };
}
