import type { EmbeddingResult } from '../../spec.js';
import { estimateTokens } from '../../usage.js';
import { embeddingsSchema, modelsListSchema } from './schemas.js';
import { malformed, requestJson, type ProviderContext } from './transport.js';

export async function embedTexts(
  ctx: ProviderContext,
  model: string,
  texts: string[],
  signal: AbortSignal,
): Promise<EmbeddingResult> {
  if (texts.length === 0) return { vectors: [], promptTokens: 0 };
  const body = await requestJson(
    ctx,
    '/embeddings',
    { model, input: texts, encoding_format: 'float' },
    embeddingsSchema,
    signal,
  );
  if (body.data.length !== texts.length) {
    throw malformed(ctx, `${body.data.length} vecteurs reçus pour ${texts.length} textes`);
  }
  const ordered = body.data.every((d) => d.index !== undefined)
    ? [...body.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
    : body.data;
  const dims = ordered[0].embedding.length;
  const vectors = ordered.map((d, i) => {
    if (d.embedding.length !== dims) throw malformed(ctx, 'vecteurs de tailles différentes');
    if (d.index !== undefined && d.index !== i) throw malformed(ctx, 'indices de vecteurs incohérents');
    return Float32Array.from(d.embedding);
  });
  const promptTokens = body.usage?.prompt_tokens ?? texts.reduce((n, t) => n + estimateTokens(t), 0);
  return { vectors, promptTokens };
}

export async function listUpstreamModels(ctx: ProviderContext, signal: AbortSignal): Promise<string[]> {
  const body = await requestJson(ctx, '/models', undefined, modelsListSchema, signal);
  return body.data.map((m) => m.id);
}
