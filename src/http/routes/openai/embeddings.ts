import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../../services.js';
import type { AppEnv } from '../../env.js';
import { reportUsage } from '../../usage-hook.js';
import { pseudonymisedFor, routableModel } from '../../../privacy/answer-privacy.js';
import { Pseudonymiser } from '../../../privacy/pseudonymise.js';

const EmbeddingRequest = z
  .object({
    model: z.string().min(1).max(200),
    input: z.union([z.string().max(100_000), z.array(z.string().max(100_000)).min(1).max(256)]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    user: z.string().max(256).optional(),
  })
  .openapi('EmbeddingRequest');

const EmbeddingResponse = z
  .object({
    object: z.literal('list'),
    data: z.array(
      z.object({
        object: z.literal('embedding'),
        index: z.number().int(),
        embedding: z.union([z.array(z.number()), z.string()]),
      }),
    ),
    model: z.string(),
    usage: z.object({ prompt_tokens: z.number(), total_tokens: z.number() }),
  })
  .openapi('EmbeddingList');

const route = createRoute({
  method: 'post',
  path: '/v1/embeddings',
  summary: 'Vecteurs (embeddings) de textes, avec un modèle d’embeddings configuré',
  request: { body: { content: { 'application/json': { schema: EmbeddingRequest } }, required: true } },
  responses: {
    200: { description: 'Vecteurs', content: { 'application/json': { schema: EmbeddingResponse } } },
  },
});

export function registerEmbeddingRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const texts = typeof body.input === 'string' ? [body.input] : body.input;
    // The organisation's policy: a sensitive one only reaches local or SecNumCloud targets (403
    // otherwise), and text for a non-local target is pseudonymised like every other outgoing text.
    const privacy = await services.privacy.forOrg(c.get('principal').orgId);
    const model = routableModel(services.router, body.model, privacy, 'embedding');
    const sent = pseudonymisedFor(privacy, services.router.isLocal(model, 'embedding'))
      ? texts.map((t) => new Pseudonymiser().pseudonymise(t))
      : texts;
    const result = await services.router.embed(model, sent, c.req.raw.signal);
    reportUsage(c, {
      model: result.servedBy.key,
      usage: { promptTokens: result.promptTokens, completionTokens: 0 },
      ttftMs: null,
    });
    const base64 = body.encoding_format === 'base64';
    return c.json(
      {
        object: 'list' as const,
        data: result.vectors.map((v, index) => ({
          object: 'embedding' as const,
          index,
          embedding: base64
            ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
            : Array.from(v),
        })),
        model: body.model,
        usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
      },
      200,
    );
  });
}
