import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Principal, Service } from '../../../accounts/model.js';
import type { Services } from '../../../services.js';
import { pilotDay, serviceName, serviceOfOrg } from '../../../usecases/manage-services.js';
import type { AppEnv } from '../../env.js';
import { errors, OrgIdQuery, targetOrg } from './shared.js';

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Date attendue au format AAAA-MM-JJ')
  .openapi({ example: '2026-11-02' });

export const ServiceSchema = z
  .object({
    id: z.string(),
    object: z.literal('service'),
    org_id: z.string(),
    name: z.string(),
    pilot_since: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('Service');

export const serviceJson = (s: Service) => ({
  id: s.id,
  object: 'service' as const,
  org_id: s.orgId,
  name: s.name,
  pilot_since: s.pilotSince,
  created_at: s.createdAt,
});

const AddService = z
  .object({
    name: z.string().min(1).max(100).openapi({ example: 'Accueil' }),
    pilot_since: Day.nullable().optional(),
    org_id: OrgIdQuery,
  })
  .strict()
  .openapi('AddService');

const PatchService = z
  .object({ name: z.string().min(1).max(100).optional(), pilot_since: Day.nullable().optional() })
  .strict()
  .openapi('PatchService');

const Id = z.object({ id: z.string().min(1).max(64) });
const one = (description: string) => ({
  description,
  content: { 'application/json': { schema: ServiceSchema } },
});

const routes = {
  list: createRoute({
    method: 'get',
    path: '/v1/admin/services',
    summary: "Lister les services de l'organisation, avec leur mode pilote",
    request: { query: z.object({ org_id: OrgIdQuery }) },
    responses: {
      200: {
        description: 'Services',
        content: {
          'application/json': {
            schema: z.object({
              object: z.literal('list'),
              data: z.array(ServiceSchema),
              org_pilot_since: z.string().nullable(),
            }),
          },
        },
      },
      ...errors,
    },
  }),
  add: createRoute({
    method: 'post',
    path: '/v1/admin/services',
    summary: 'Créer un service (admin)',
    request: { body: { content: { 'application/json': { schema: AddService } }, required: true } },
    responses: { 201: one('Service créé'), ...errors },
  }),
  patch: createRoute({
    method: 'patch',
    path: '/v1/admin/services/{id}',
    summary: 'Renommer un service ou changer son mode pilote (admin)',
    request: {
      params: Id,
      body: { content: { 'application/json': { schema: PatchService } }, required: true },
    },
    responses: { 200: one('Service modifié'), ...errors },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/v1/admin/services/{id}',
    summary: 'Supprimer un service (ses personnes ne sont plus rattachées à aucun)',
    request: { params: Id },
    responses: { 200: one('Service supprimé'), ...errors },
  }),
};

/** A superadmin acts on any organisation's services; others on their own. */
export const anyOrg = (p: Principal) => (p.role === 'superadmin' ? null : p.orgId);

export function registerServiceRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const store = services.store;
  app.openapi(routes.list, async (c) => {
    const orgId = await targetOrg(store, c.get('principal'), c.req.valid('query').org_id);
    const [list, orgPilot] = await Promise.all([
      store.accounts.services.list(orgId),
      store.accounts.services.orgPilot(orgId),
    ]);
    return c.json({ object: 'list' as const, data: list.map(serviceJson), org_pilot_since: orgPilot }, 200);
  });
  app.openapi(routes.add, async (c) => {
    const b = c.req.valid('json');
    const orgId = await targetOrg(store, c.get('principal'), b.org_id);
    const s = await store.accounts.services.create({
      orgId,
      name: serviceName(b.name),
      pilotSince: pilotDay(b.pilot_since),
    });
    return c.json(serviceJson(s), 201);
  });
  app.openapi(routes.patch, async (c) => {
    const b = c.req.valid('json');
    const s = await serviceOfOrg(store, anyOrg(c.get('principal')), c.req.valid('param').id);
    const updated = await store.accounts.services.update(s.id, {
      name: b.name === undefined ? undefined : serviceName(b.name),
      pilotSince: pilotDay(b.pilot_since),
    });
    return c.json(serviceJson(updated ?? s), 200);
  });
  app.openapi(routes.remove, async (c) => {
    const s = await serviceOfOrg(store, anyOrg(c.get('principal')), c.req.valid('param').id);
    await store.accounts.services.delete(s.id);
    return c.json(serviceJson(s), 200);
  });
}
