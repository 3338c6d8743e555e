import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { createApiKey, revokeApiKey } from '../../../accounts/create-api-key.js';
import type { Services } from '../../../services.js';
import type { AppEnv } from '../../env.js';
import { ApiKeySchema, apiKeyJson, errors, OrgIdQuery, RoleSchema, targetOrg } from './shared.js';

const CreateKey = z
  .object({
    name: z.string().min(1).max(200).optional().openapi({ example: 'Intégration du portail citoyen' }),
    role: RoleSchema.default('agent'),
    expires_in_days: z.number().positive().max(3650).optional(),
    org_id: OrgIdQuery,
  })
  .strict()
  .openapi('CreateApiKey');

const CreatedKey = ApiKeySchema.extend({
  key: z
    .string()
    .openapi({ description: 'La clé complète : affichée une seule fois, elle n’est jamais conservée.' }),
}).openapi('CreatedApiKey');

const create = createRoute({
  method: 'post',
  path: '/v1/keys',
  summary: 'Créer une clé d’API (developer et plus ; la clé est affichée une seule fois)',
  request: { body: { content: { 'application/json': { schema: CreateKey } }, required: true } },
  responses: {
    201: { description: 'Clé créée', content: { 'application/json': { schema: CreatedKey } } },
    ...errors,
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/keys',
  summary: "Lister les clés de l'organisation (sans leur secret)",
  request: { query: z.object({ org_id: OrgIdQuery }) },
  responses: {
    200: {
      description: 'Clés',
      content: {
        'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(ApiKeySchema) }) },
      },
    },
    ...errors,
  },
});

const revoke = createRoute({
  method: 'delete',
  path: '/v1/keys/{id}',
  summary: 'Révoquer une clé',
  request: { params: z.object({ id: z.string().min(1).max(100) }) },
  responses: {
    200: { description: 'Clé révoquée', content: { 'application/json': { schema: ApiKeySchema } } },
    ...errors,
  },
});

export function registerKeyRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(create, async (c) => {
    const b = c.req.valid('json');
    const p = c.get('principal');
    const orgId = await targetOrg(services.store, p, b.org_id);
    const created = await createApiKey({
      store: services.store,
      orgId,
      role: b.role,
      name: b.name,
      userId: p.userId,
      expiresInDays: b.expires_in_days,
      creatorRole: p.role,
    });
    return c.json({ ...apiKeyJson(created.record), key: created.key }, 201);
  });
  app.openapi(list, async (c) => {
    const orgId = await targetOrg(services.store, c.get('principal'), c.req.valid('query').org_id);
    return c.json(
      { object: 'list' as const, data: (await services.store.accounts.keys.list(orgId)).map(apiKeyJson) },
      200,
    );
  });
  app.openapi(revoke, async (c) => {
    const p = c.get('principal');
    const key = await revokeApiKey({
      store: services.store,
      id: c.req.valid('param').id,
      orgId: p.role === 'superadmin' ? undefined : p.orgId,
      actorRole: p.role,
    });
    return c.json(apiKeyJson(key), 200);
  });
}
