import { z } from 'zod';
import { malformed, requestJson, type ProviderContext } from './transport.js';

/** `/v1/rerank` answer (Albert API, and the Cohere/Jina/TEI shape that OpenAI-compatible servers follow). */
const rerankSchema = z
  .object({
    results: z.array(
      z.object({ index: z.number().int().nonnegative(), relevance_score: z.number() }).passthrough(),
    ),
  })
  .passthrough();

/** Scores of `documents` for `query`, in the order of `documents` (a document not scored gets -∞). */
export async function rerankTexts(
  ctx: ProviderContext,
  model: string,
  query: string,
  documents: string[],
  signal: AbortSignal,
): Promise<number[]> {
  if (documents.length === 0) return [];
  const body = await requestJson(
    ctx,
    '/rerank',
    { model, query, documents, top_n: documents.length },
    rerankSchema,
    signal,
  );
  const scores = documents.map(() => Number.NEGATIVE_INFINITY);
  for (const r of body.results) {
    if (r.index >= documents.length) throw malformed(ctx, `indice de document ${r.index} hors limites`);
    scores[r.index] = r.relevance_score;
  }
  return scores;
}
