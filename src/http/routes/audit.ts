import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AuditLog } from '../../privacy/audit-log.js';
import { dataFlowReport } from '../../privacy/data-flows.js';
import type { Services } from '../../services.js';
import type { AppEnv } from '../env.js';
import { errors } from './admin/shared.js';

const auditRoute = createRoute({
  method: 'get',
  path: '/v1/admin/audit',
  summary: "Parcourir le journal d'audit chaîné (admin : son organisation ; superadmin : tout)",
  request: {
    query: z.object({
      after: z.coerce.number().int().min(0).optional().openapi({ description: 'Numéro de la dernière entrée déjà lue' }),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: { description: 'Entrées, dans l’ordre', content: { 'application/json': { schema: z.object({}).passthrough() } } }, ...errors },
});

const flowsRoute = createRoute({
  method: 'get',
  path: '/v1/admin/data-flows',
  summary: 'Flux de données sortants et souveraineté des points de sortie (requêtes envoyées depuis le démarrage)',
  responses: { 200: { description: 'Rapport', content: { 'application/json': { schema: z.object({}).passthrough() } } }, ...errors },
});

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(auditRoute, async (c) => {
    const q = c.req.valid('query');
    const p = c.get('principal');
    const audit = (services.audit ??= new AuditLog(services.store));
    const data = await audit.page({ afterSeq: q.after, limit: q.limit, orgId: p.role === 'superadmin' ? undefined : p.orgId });
    const last = data[data.length - 1];
    return c.json(
      { object: 'list', data, has_more: data.length === q.limit, next_after: last ? last.seq : null } as unknown as Record<string, never>,
      200,
    );
  });
  app.openapi(flowsRoute, async (c) => {
    return c.json(dataFlowReport(services.config, services.egress.stats(), services.startedAt) as unknown as Record<string, never>, 200);
  });
}
