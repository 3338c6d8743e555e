import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ModelListing } from '../../../models/model-table.js';
import type { Services } from '../../../services.js';
import { AppError } from '../../../shared/errors.js';
import type { AppEnv } from '../../env.js';

const ModelSchema = z
  .object({
    id: z.string(),
    object: z.literal('model'),
    created: z.number().int(),
    owned_by: z.string(),
    guichet: z.object({
      kind: z.enum(['alias', 'model']),
      local: z.boolean(),
      targets: z.array(z.string()).optional(),
    }),
  })
  .openapi('Model');

const listRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  summary: 'Modèles disponibles',
  responses: {
    200: {
      description: 'Liste des modèles',
      content: {
        'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(ModelSchema) }) },
      },
    },
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/models/{id}',
  summary: 'Un modèle',
  request: { params: z.object({ id: z.string().min(1).max(300) }) },
  responses: { 200: { description: 'Le modèle', content: { 'application/json': { schema: ModelSchema } } } },
});

export function registerModelRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const created = Math.floor(services.startedAt.getTime() / 1000);
  const toJson = (m: ModelListing) => ({
    id: m.id,
    object: 'model' as const,
    created,
    owned_by: m.provider,
    guichet: { kind: m.kind, local: m.local, ...(m.targets ? { targets: m.targets } : {}) },
  });
  app.openapi(listRoute, (c) =>
    c.json({ object: 'list' as const, data: services.router.list().map(toJson) }, 200),
  );
  app.openapi(getRoute, (c) => {
    const { id } = c.req.valid('param');
    const found = services.router.list().find((m) => m.id === id);
    if (!found) {
      throw new AppError('model_not_found', `Le modèle « ${id} » n’existe pas.`, { param: 'model' });
    }
    return c.json(toJson(found), 200);
  });
}
