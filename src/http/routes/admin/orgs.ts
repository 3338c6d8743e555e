import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { createOrganisation } from '../../../accounts/create-organisation.js';
import type { Organisation } from '../../../accounts/model.js';
import type { Services } from '../../../services.js';
import type { AppEnv } from '../../env.js';
import { errors } from './shared.js';

const OrgSchema = z
  .object({
    id: z.string(),
    object: z.literal('organisation'),
    name: z.string(),
    siret: z.string().nullable(),
    email_domains: z.array(z.string()),
    sensitive: z.boolean(),
    allow_self_signup: z.boolean(),
    created_at: z.string(),
  })
  .openapi('Organisation');

const CreateOrg = z
  .object({
    id: z.string().min(1).max(64).optional(),
    name: z.string().min(1).max(200).openapi({ example: 'Mairie de Trifouilly' }),
    siret: z.string().max(20).nullable().optional(),
    email_domains: z.array(z.string().min(1).max(253)).max(50).optional(),
    sensitive: z.boolean().optional(),
    allow_self_signup: z.boolean().optional(),
  })
  .strict()
  .openapi('CreateOrganisation');

const json = (o: Organisation) => ({
  id: o.id,
  object: 'organisation' as const,
  name: o.name,
  siret: o.siret,
  email_domains: o.emailDomains,
  sensitive: o.sensitive,
  allow_self_signup: o.allowSelfSignup,
  created_at: o.createdAt,
});

const create = createRoute({
  method: 'post',
  path: '/v1/organisations',
  summary: 'Créer une organisation (superadmin)',
  request: { body: { content: { 'application/json': { schema: CreateOrg } }, required: true } },
  responses: {
    201: { description: 'Organisation créée', content: { 'application/json': { schema: OrgSchema } } },
    ...errors,
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/organisations',
  summary: 'Lister les organisations (superadmin)',
  responses: {
    200: {
      description: 'Organisations',
      content: {
        'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(OrgSchema) }) },
      },
    },
    ...errors,
  },
});

export function registerOrgRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(create, async (c) => {
    const b = c.req.valid('json');
    const org = await createOrganisation({
      store: services.store,
      id: b.id,
      name: b.name,
      siret: b.siret,
      emailDomains: b.email_domains,
      sensitive: b.sensitive,
      allowSelfSignup: b.allow_self_signup,
    });
    return c.json(json(org), 201);
  });
  app.openapi(list, async (c) => {
    const orgs = await services.store.accounts.orgs.list();
    return c.json({ object: 'list' as const, data: orgs.map(json) }, 200);
  });
}
