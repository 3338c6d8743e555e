import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services.js';
import {
  createCollection,
  deleteCollection,
  getCollection,
  listCollections,
  updateCollection,
  type CollectionView,
} from '../../usecases/manage-collections.js';
import type { AppEnv } from '../env.js';
import { errors } from './admin/shared.js';

const Visibility = z.enum(['private', 'shared']).openapi({
  description:
    '`private` : visible de votre seule organisation ; `shared` : lisible par toutes les organisations.',
});

const CreateCollection = z
  .object({
    name: z.string().min(1).max(200).openapi({ example: 'Mairie de Saint-Aubin' }),
    description: z.string().max(2000).optional(),
    visibility: Visibility.default('private'),
  })
  .strict()
  .openapi('CreateCollection');

const UpdateCollection = z
  .object({
    name: z.string().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
    visibility: Visibility.optional(),
  })
  .strict()
  .openapi('UpdateCollection');

export const CollectionSchema = z
  .object({
    id: z.string(),
    object: z.literal('collection'),
    name: z.string(),
    description: z.string(),
    visibility: z.enum(['private', 'shared', 'public']),
    builtin: z.boolean(),
    owner: z.string(),
    writable: z.boolean(),
    document_count: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Collection');

const IdParam = z.object({ id: z.string().min(1).max(200) });
const json = (schema: z.ZodTypeAny, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const create = createRoute({
  method: 'post',
  path: '/v1/collections',
  summary: 'Créer une collection de documents de votre organisation',
  request: { body: { content: { 'application/json': { schema: CreateCollection } }, required: true } },
  responses: { 201: json(CollectionSchema, 'Collection créée'), ...errors },
});
const list = createRoute({
  method: 'get',
  path: '/v1/collections',
  summary: 'Lister les collections lisibles : nationale, de votre organisation, partagées',
  responses: {
    200: json(z.object({ object: z.literal('list'), data: z.array(CollectionSchema) }), 'Collections'),
    ...errors,
  },
});
const get = createRoute({
  method: 'get',
  path: '/v1/collections/{id}',
  summary: 'Lire une collection',
  request: { params: IdParam },
  responses: { 200: json(CollectionSchema, 'Collection'), ...errors },
});
const patch = createRoute({
  method: 'patch',
  path: '/v1/collections/{id}',
  summary: 'Modifier une collection de votre organisation (la collection nationale est en lecture seule)',
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: UpdateCollection } }, required: true },
  },
  responses: { 200: json(CollectionSchema, 'Collection modifiée'), ...errors },
});
const remove = createRoute({
  method: 'delete',
  path: '/v1/collections/{id}',
  summary: 'Supprimer une collection avec tous ses documents',
  request: { params: IdParam },
  responses: {
    200: json(
      z.object({ id: z.string(), object: z.literal('collection'), deleted: z.literal(true) }),
      'Collection supprimée',
    ),
    ...errors,
  },
});

export function collectionJson(c: CollectionView) {
  return {
    id: c.id,
    object: 'collection' as const,
    name: c.name,
    description: c.description,
    visibility: c.visibility,
    builtin: c.builtin,
    owner: c.orgId,
    writable: c.writable,
    document_count: c.documentCount,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function registerCollectionRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const store = services.store;
  app.openapi(create, async (c) => {
    const b = c.req.valid('json');
    const created = await createCollection({ store, orgId: c.get('principal').orgId, ...b });
    return c.json(collectionJson(created), 201);
  });
  app.openapi(list, async (c) => {
    const all = await listCollections({ store, orgId: c.get('principal').orgId });
    return c.json({ object: 'list' as const, data: all.map(collectionJson) }, 200);
  });
  app.openapi(get, async (c) => {
    const found = await getCollection({
      store,
      orgId: c.get('principal').orgId,
      id: c.req.valid('param').id,
    });
    return c.json(collectionJson(found), 200);
  });
  app.openapi(patch, async (c) => {
    const updated = await updateCollection({
      store,
      orgId: c.get('principal').orgId,
      id: c.req.valid('param').id,
      patch: c.req.valid('json'),
    });
    return c.json(collectionJson(updated), 200);
  });
  app.openapi(remove, async (c) => {
    const gone = await deleteCollection({
      store,
      orgId: c.get('principal').orgId,
      id: c.req.valid('param').id,
    });
    return c.json({ id: gone.id, object: 'collection' as const, deleted: true as const }, 200);
  });
}
