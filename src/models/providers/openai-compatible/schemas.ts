import { z } from 'zod';

/**
 * Tolerant schemas for what OpenAI-compatible upstreams send: unknown keys pass, optional parts that
 * are malformed are dropped (usage), the parts we need (text, vectors) must be right.
 */

const count = z.number().int().nonnegative();

export const usageSchema = z
  .looseObject({ prompt_tokens: count.optional(), completion_tokens: count.optional() })
  .nullish()
  .catch(null);

const finishReason = z.string().nullish().catch(null);

export const chatCompletionSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({ content: z.string().nullish() }),
        finish_reason: finishReason,
      }),
    )
    .min(1),
  usage: usageSchema,
});

export const chatChunkSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        delta: z.looseObject({ content: z.string().nullish() }).nullish(),
        finish_reason: finishReason,
      }),
    )
    .default([]),
  usage: usageSchema,
});

/** `{ "error": { "message": … } }` or `{ "error": "…" }`, as upstreams put them in bodies or SSE. */
export const upstreamErrorSchema = z.looseObject({
  error: z.union([z.string(), z.looseObject({ message: z.string().optional() })]),
});

export const embeddingsSchema = z.looseObject({
  data: z.array(z.looseObject({ embedding: z.array(z.number()).min(1), index: count.optional() })),
  usage: usageSchema,
});

export const modelsListSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string() })),
});

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;
export type ChatChunk = z.infer<typeof chatChunkSchema>;
export type UpstreamUsage = z.infer<typeof usageSchema>;
