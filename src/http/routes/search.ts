import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { currentOfficialUrl, isStale } from '../../knowledge/freshness.js';
import type { Services } from '../../services.js';
import { MAX_K } from '../../usecases/search-knowledge.js';
import { assertReadableCollections, defaultCollectionsFor } from '../../usecases/visible-collections.js';
import type { AppEnv } from '../env.js';

const SearchRequest = z
  .object({
    query: z.string().max(4000).openapi({ example: 'renouveler sa carte d’identité' }),
    k: z.number().int().min(1).max(MAX_K).default(5),
    collections: z.array(z.string().min(1).max(200)).max(50).optional(),
    method: z.enum(['lexical', 'dense', 'hybrid']).optional(),
  })
  .strict()
  .openapi('SearchRequest');

const Passage = z.object({
  chunk_id: z.string(),
  path: z.array(z.string()),
  text: z.string(),
  score: z.number(),
});

const SearchHit = z
  .object({
    id: z.string(),
    external_id: z.string(),
    collection: z.string(),
    title: z.string(),
    description: z.string(),
    url: z.string().nullable(),
    kind: z.string(),
    audience: z.string().nullable(),
    date: z.string().nullable(),
    /** Older than knowledge.stale_after_months (12 by default). */
    stale: z.boolean(),
    breadcrumb: z.array(z.string()),
    score: z.number(),
    passages: z.array(Passage),
    /** Read by OCR (a scan, an image): « texte reconnu automatiquement (OCR) ». */
    ocr: z.boolean(),
  })
  .openapi('SearchHit');

const SearchResponse = z
  .object({ object: z.literal('list'), data: z.array(SearchHit) })
  .openapi('SearchResponse');

const route = createRoute({
  method: 'post',
  path: '/v1/search',
  summary: 'Rechercher dans les connaissances (service-public.fr et collections locales)',
  request: { body: { content: { 'application/json': { schema: SearchRequest } }, required: true } },
  responses: {
    200: {
      description: 'Publications trouvées',
      content: { 'application/json': { schema: SearchResponse } },
    },
  },
});

export function registerSearchRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const orgId = c.get('principal').orgId;
    if (body.collections) await assertReadableCollections(services.store, body.collections, orgId);
    const hits = await services.retriever.search({
      query: body.query,
      k: body.k,
      method: body.method,
      collectionIds: body.collections ?? (await defaultCollectionsFor(services.store, orgId)),
      signal: c.req.raw.signal,
      privacy: await services.privacy.forOrg(orgId),
    });
    return c.json(
      {
        object: 'list' as const,
        data: hits.map((h) => ({
          id: h.id,
          external_id: h.externalId,
          collection: h.collectionId,
          title: h.title,
          description: h.description,
          url: currentOfficialUrl(h.url),
          kind: h.kind,
          audience: h.audience,
          date: h.date,
          stale: isStale(h.date, services.config.knowledge.stale_after_months),
          breadcrumb: h.breadcrumb,
          score: h.score,
          ocr: h.ocr ?? false,
          passages: h.passages.map((p) => ({
            chunk_id: p.chunkId,
            path: p.path,
            text: p.text,
            score: p.score,
          })),
        })),
      },
      200,
    );
  });
}
