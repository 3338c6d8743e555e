import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { can, PERMISSIONS, type Permission } from '../../../accounts/permissions.js';
import type { Services } from '../../../services.js';
import type { AppEnv } from '../../env.js';
import { csrfTokenFor } from '../../../accounts/oidc/sessions.js';
import { errors, RoleSchema } from './shared.js';

const Me = z
  .object({
    object: z.literal('me'),
    via: z.enum(['key', 'session']),
    role: RoleSchema,
    organisation: z.object({ id: z.string(), name: z.string() }),
    user: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable(),
    key: z
      .object({ id: z.string(), name: z.string(), prefix: z.string(), expires_at: z.string().nullable() })
      .nullable(),
    permissions: z.array(z.string()),
    csrf_token: z.string().nullable().openapi({
      description:
        'Session (cookie) : jeton à renvoyer dans l’en-tête X-CSRF-Token de chaque requête qui modifie quelque chose ; null avec une clé.',
    }),
  })
  .openapi('Me');

const route = createRoute({
  method: 'get',
  path: '/v1/me',
  summary: 'Qui suis-je : organisation, rôle, clé ou session, permissions',
  responses: {
    200: { description: 'Identité de l’appelant', content: { 'application/json': { schema: Me } } },
    ...errors,
  },
});

export function registerMeRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(route, async (c) => {
    const p = c.get('principal');
    const { orgs, users, keys } = services.store.accounts;
    const [org, user, key] = await Promise.all([
      orgs.get(p.orgId),
      p.userId ? users.get(p.userId) : null,
      p.keyId ? keys.get(p.keyId) : null,
    ]);
    return c.json(
      {
        object: 'me' as const,
        via: p.via,
        role: p.role,
        organisation: { id: p.orgId, name: org?.name ?? p.orgId },
        user: user ? { id: user.id, email: user.email, name: user.name } : null,
        key: key
          ? { id: key.id, name: key.name, prefix: `gch_${key.prefix}`, expires_at: key.expiresAt }
          : null,
        permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((perm) => can(p.role, perm)),
        csrf_token: p.via === 'session' ? csrfTokenFor(c.req.header('cookie')) : null,
      },
      200,
    );
  });
}
