import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { eraseSubjectData, exportSubjectData } from '../../privacy/subject-rights.js';
import type { Services } from '../../services.js';
import type { AppEnv } from '../env.js';
import { errors } from './admin/shared.js';

const Params = z.object({ id: z.string().min(1).max(100) });

const exportRoute = createRoute({
  method: 'get',
  path: '/v1/privacy/users/{id}/export',
  summary:
    "Exporter tout ce que Guichet détient sur un utilisateur (droit d'accès, admin de son organisation)",
  request: { params: Params },
  responses: {
    200: {
      description: 'Données de la personne (JSON)',
      content: { 'application/json': { schema: z.object({}).passthrough() } },
    },
    ...errors,
  },
});

const eraseRoute = createRoute({
  method: 'delete',
  path: '/v1/privacy/users/{id}',
  summary: "Effacer un utilisateur (conversations, avis, sessions, clés ; mesures d'usage anonymisées)",
  request: { params: Params },
  responses: {
    200: {
      description: 'Nombre de lignes effacées ou anonymisées',
      content: { 'application/json': { schema: z.object({}).passthrough() } },
    },
    ...errors,
  },
});

/** Rights of the persons: export and erasure (an admin acts within their organisation; superadmin anywhere). */
export function registerPrivacyRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const audit = () => services.audit;
  const scope = (c: { get(k: 'principal'): { role: string; orgId: string } }) => {
    const p = c.get('principal');
    return p.role === 'superadmin' ? undefined : p.orgId;
  };
  app.openapi(exportRoute, async (c) => {
    const data = await exportSubjectData({
      store: services.store,
      audit: audit(),
      userId: c.req.valid('param').id,
      orgId: scope(c),
    });
    return c.json(data as unknown as Record<string, never>, 200);
  });
  app.openapi(eraseRoute, async (c) => {
    const counts = await eraseSubjectData({
      store: services.store,
      audit: audit(),
      userId: c.req.valid('param').id,
      orgId: scope(c),
    });
    return c.json(
      { object: 'subject_erasure', user_id: c.req.valid('param').id, erased: counts } as unknown as Record<
        string,
        never
      >,
      200,
    );
  });
}
