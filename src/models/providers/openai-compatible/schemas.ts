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

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the stream reader uses of a chunk. */
export interface ChatChunkFields {
  choices: { delta?: { content?: string | null } | null; finish_reason?: string | null }[];
  usage?: UpstreamUsage;
}

/**
 * `chatChunkSchema.safeParse`, with a hand-written path for the usual event (one per relayed token):
 * an object whose `choices` are objects with a string or absent `delta.content` and
 * `finish_reason`, and no usage. Anything else goes through the schema, so the fields read are
 * the schema's in every case, at a fraction of its cost.
 */
export function readChatChunk(
  value: unknown,
): { success: true; data: ChatChunkFields } | { success: false; error: z.ZodError } {
  if (isRecord(value) && value.usage == null && Array.isArray(value.choices)) {
    let usual = true;
    for (const c of value.choices as unknown[]) {
      if (!isRecord(c)) {
        usual = false;
        break;
      }
      const delta = c.delta;
      const finish = c.finish_reason;
      if (
        !(
          delta == null ||
          (isRecord(delta) && (delta.content == null || typeof delta.content === 'string'))
        ) ||
        !(finish == null || typeof finish === 'string')
      ) {
        usual = false;
        break;
      }
    }
    if (usual)
      return { success: true, data: { choices: value.choices as ChatChunkFields['choices'], usage: null } };
  }
  return chatChunkSchema.safeParse(value);
}

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
