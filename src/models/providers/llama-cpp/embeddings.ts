import type { Semaphore } from '../../semaphore.js';
import type { EmbeddingResult } from '../../spec.js';
import { throwIfCallerAborted } from '../../upstream-error.js';
import type { LlamaEngine } from './engine.js';

/** One text at a time (the embedding context is not shared); abort is checked between texts. */
export async function embedLocal(
  engine: LlamaEngine,
  semaphore: Semaphore,
  texts: string[],
  signal: AbortSignal,
): Promise<EmbeddingResult> {
  if (texts.length === 0) return { vectors: [], promptTokens: 0 };
  const release = await semaphore.acquire(signal);
  try {
    const [model, context] = await Promise.all([engine.model(), engine.embeddingContext()]);
    const vectors: Float32Array[] = [];
    let promptTokens = 0;
    for (const text of texts) {
      throwIfCallerAborted(signal);
      // An empty text yields an empty vector in llama.cpp: embed a blank instead, so sizes match.
      const input = text.trim() === '' ? ' ' : text;
      promptTokens += model.tokenize(input).length;
      const { vector } = await context.getEmbeddingFor(input);
      vectors.push(Float32Array.from(vector));
    }
    return { vectors, promptTokens };
  } finally {
    release();
  }
}
