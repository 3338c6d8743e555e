import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { addUser } from '../../../accounts/add-user.js';
import { moveUser } from '../../../accounts/move-user.js';
import type { User } from '../../../accounts/model.js';
import { AppError } from '../../../shared/errors.js';
import type { Services } from '../../../services.js';
import type { AppEnv } from '../../env.js';
import { serviceOfOrg, setUserService } from '../../../usecases/manage-services.js';
import { errors, OrgIdQuery, RoleSchema, targetOrg } from './shared.js';

const UserSchema = z
  .object({
    id: z.string(),
    object: z.literal('user'),
    email: z.string(),
    name: z.string(),
    org_id: z.string(),
    role: RoleSchema,
    service_id: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('User');

const AddUser = z
  .object({
    email: z.string().min(3).max(254).openapi({ example: 'agent@mairie-trifouilly.fr' }),
    name: z.string().min(1).max(200).optional(),
    role: RoleSchema.default('agent'),
    service_id: z
      .string()
      .min(1)
      .max(64)
      .nullable()
      .optional()
      .openapi({ description: 'Service de la personne' }),
    org_id: OrgIdQuery,
  })
  .strict()
  .openapi('AddUser');

const PatchUser = z
  .object({
    service_id: z
      .string()
      .min(1)
      .max(64)
      .nullable()
      .openapi({ description: 'Service de la personne (null : aucun)' }),
  })
  .strict()
  .openapi('PatchUser');
const MoveUser = z
  .object({
    org_id: z.string().min(1).max(64).openapi({ description: 'Organisation d’arrivée' }),
    role: RoleSchema.optional().openapi({ description: 'Nouveau rôle (par défaut : inchangé)' }),
  })
  .strict()
  .openapi('MoveUser');

const MovedUser = UserSchema.extend({
  from_org_id: z.string(),
  revoked_keys: z.number().int().openapi({ description: 'Clés de la personne révoquées' }),
  ended_sessions: z.number().int().openapi({ description: 'Sessions de la personne fermées' }),
}).openapi('MovedUser');

const json = (u: User) => ({
  id: u.id,
  object: 'user' as const,
  email: u.email,
  name: u.name,
  org_id: u.orgId,
  role: u.role,
  service_id: u.serviceId,
  created_at: u.createdAt,
});

const add = createRoute({
  method: 'post',
  path: '/v1/users',
  summary: "Ajouter une personne à l'organisation (admin)",
  request: { body: { content: { 'application/json': { schema: AddUser } }, required: true } },
  responses: {
    201: { description: 'Personne ajoutée', content: { 'application/json': { schema: UserSchema } } },
    ...errors,
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/users',
  summary: "Lister les personnes de l'organisation (admin)",
  request: { query: z.object({ org_id: OrgIdQuery }) },
  responses: {
    200: {
      description: 'Personnes',
      content: {
        'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(UserSchema) }) },
      },
    },
    ...errors,
  },
});

const patch = createRoute({
  method: 'patch',
  path: '/v1/users/{id}',
  summary: "Rattacher une personne à un service de l'organisation (admin)",
  request: {
    params: z.object({ id: z.string().min(1).max(64) }),
    body: { content: { 'application/json': { schema: PatchUser } }, required: true },
  },
  responses: {
    200: { description: 'Personne modifiée', content: { 'application/json': { schema: UserSchema } } },
    ...errors,
  },
});

const move = createRoute({
  method: 'post',
  path: '/v1/users/{id}/move',
  summary: 'Changer une personne d’organisation (superadmin) : ses clés sont révoquées, ses sessions fermées',
  request: {
    params: z.object({ id: z.string().min(1).max(100) }),
    body: { content: { 'application/json': { schema: MoveUser } }, required: true },
  },
  responses: {
    200: { description: 'Personne déplacée', content: { 'application/json': { schema: MovedUser } } },
    ...errors,
  },
});

export function registerUserRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(add, async (c) => {
    const b = c.req.valid('json');
    const p = c.get('principal');
    if (b.role === 'superadmin' && p.role !== 'superadmin') {
      throw new AppError('forbidden', 'Seul un superadmin peut nommer un superadmin.', { param: 'role' });
    }
    const orgId = await targetOrg(services.store, p, b.org_id);
    // An unknown service is refused before the person is created.
    if (b.service_id) await serviceOfOrg(services.store, orgId, b.service_id);
    const user = await addUser({
      store: services.store,
      orgId,
      email: b.email,
      name: b.name,
      role: b.role,
      actorRole: p.role,
    });
    return c.json(
      json(b.service_id ? await setUserService(services.store, orgId, user.id, b.service_id) : user),
      201,
    );
  });
  app.openapi(patch, async (c) => {
    const p = c.get('principal');
    const id = c.req.valid('param').id;
    const user = await services.store.accounts.users.get(id);
    const orgId = user && p.role === 'superadmin' ? user.orgId : p.orgId;
    return c.json(json(await setUserService(services.store, orgId, id, c.req.valid('json').service_id)), 200);
  });
  app.openapi(move, async (c) => {
    const b = c.req.valid('json');
    const moved = await moveUser({
      store: services.store,
      user: c.req.valid('param').id,
      orgId: b.org_id,
      role: b.role,
    });
    return c.json(
      {
        ...json(moved),
        from_org_id: moved.fromOrgId,
        revoked_keys: moved.revokedKeys,
        ended_sessions: moved.endedSessions,
      },
      200,
    );
  });
  app.openapi(list, async (c) => {
    const orgId = await targetOrg(services.store, c.get('principal'), c.req.valid('query').org_id);
    return c.json(
      { object: 'list' as const, data: (await services.store.accounts.users.list(orgId)).map(json) },
      200,
    );
  });
}
