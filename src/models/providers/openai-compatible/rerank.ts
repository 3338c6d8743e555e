import { z } from 'zod';
import { malformed, requestJson, type ProviderContext } from './transport.js';

/** Request shape of a `/v1/rerank`: Cohere/Jina/TEI/vLLM (`query`, `documents`) or Albert API (`prompt`, `input`). */
export type RerankApi = 'openai-compatible' | 'albert';

const index = z.number().int().nonnegative();
/** `/v1/rerank` answer: `results[{index, relevance_score}]` (Cohere shape) or `data[{index, score}]` (Albert API). */
const rerankSchema = z
  .object({
    results: z.array(z.object({ index, relevance_score: z.number() }).passthrough()).optional(),
    data: z.array(z.object({ index, score: z.number() }).passthrough()).optional(),
  })
  .passthrough()
  .refine((b) => b.results !== undefined || b.data !== undefined, { message: 'results ou data attendu' });

/** Scores of `documents` for `query`, in the order of `documents` (a document not scored gets -∞). */
export async function rerankTexts(
  ctx: ProviderContext,
  model: string,
  query: string,
  documents: string[],
  signal: AbortSignal,
  api: RerankApi = 'openai-compatible',
): Promise<number[]> {
  if (documents.length === 0) return [];
  const request =
    api === 'albert'
      ? { model, prompt: query, input: documents }
      : { model, query, documents, top_n: documents.length };
  const body = await requestJson(ctx, '/rerank', request, rerankSchema, signal);
  const results =
    body.results?.map((r) => ({ index: r.index, score: r.relevance_score })) ??
    (body.data ?? []).map((r) => ({ index: r.index, score: r.score }));
  const scores = documents.map(() => Number.NEGATIVE_INFINITY);
  for (const r of results) {
    if (r.index >= documents.length) throw malformed(ctx, `indice de document ${r.index} hors limites`);
    scores[r.index] = r.score;
  }
  return scores;
}
