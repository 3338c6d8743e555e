import { z } from '@hono/zod-openapi';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const Content = z.union([
  z.string(),
  z.array(z.union([TextPart, z.object({ type: z.string() }).passthrough()])),
]);

export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: Content.nullable().optional(),
  name: z.string().optional(),
});

export const GuichetExtension = z
  .object({
    search: z
      .object({
        collections: z.array(z.string().min(1).max(200)).max(50).optional(),
        k: z.number().int().min(1).max(20).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi('GuichetExtension', {
    description:
      'Extension Guichet : active la recherche dans les sources (service-public.fr et collections) pour un modèle autre que « guichet ».',
  });

export const ChatCompletionRequest = z
  .object({
    model: z.string().min(1).max(200).openapi({ example: 'guichet' }),
    messages: z.array(ChatMessageSchema).min(1).max(200),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    max_tokens: z.number().int().min(1).max(131072).nullable().optional(),
    max_completion_tokens: z.number().int().min(1).max(131072).nullable().optional(),
    stop: z
      .union([z.string(), z.array(z.string()).max(4)])
      .nullable()
      .optional(),
    seed: z.number().int().nullable().optional(),
    n: z.literal(1).nullable().optional(),
    user: z.string().max(256).optional(),
    guichet: GuichetExtension.optional(),
  })
  .openapi('ChatCompletionRequest');

export const CitationSchema = z
  .object({
    index: z.number().int(),
    id: z.string().openapi({
      description: 'Identifiant de fiche (F33667) ou, pour un document local, son nom de fichier',
    }),
    document_id: z.string().openapi({ description: 'Document stocké : GET /v1/documents/{document_id}' }),
    title: z.string(),
    url: z.string().nullable(),
    collection: z.string(),
    collection_name: z.string(),
    local: z.boolean(),
    date: z
      .string()
      .nullable()
      .openapi({ description: 'Date de dernière mise à jour de la source (AAAA-MM-JJ)' }),
    stale: z.boolean().openapi({
      description:
        'Source plus ancienne que l’âge configuré (12 mois par défaut) : à vérifier sur le site officiel',
    }),
    snippet: z.string(),
    cited: z.boolean(),
    ocr: z.boolean().openapi({
      description:
        'Passage lu par reconnaissance de caractères (scan, image) : « texte reconnu automatiquement (OCR) », à vérifier',
    }),
  })
  .openapi('Citation');

export const ChatCompletionResponse = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ role: z.literal('assistant'), content: z.string() }),
        finish_reason: z.string(),
      }),
    ),
    usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }),
    citations: z.array(CitationSchema).optional(),
    guichet: z
      .object({
        ai_generated: z.literal(true),
        model: z.string().nullable(),
        sources: z.number().int(),
        no_source: z.boolean(),
      })
      .openapi({
        description:
          'Marqueur de transparence (AI Act) : réponse générée par une IA, modèle et sources utilisés.',
      }),
  })
  .openapi('ChatCompletion');

export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;
