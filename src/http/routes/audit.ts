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
      after: z.coerce
        .number()
        .int()
        .min(0)
        .optional()
        .openapi({ description: 'Numéro de la dernière entrée déjà lue' }),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: {
      description: 'Entrées, dans l’ordre',
      content: { 'application/json': { schema: z.object({}).passthrough() } },
    },
    ...errors,
  },
});

const flowsRoute = createRoute({
  method: 'get',
  path: '/v1/admin/data-flows',
  summary:
    'Flux de données sortants et souveraineté des points de sortie (requêtes envoyées depuis le démarrage)',
  responses: {
    200: { description: 'Rapport', content: { 'application/json': { schema: z.object({}).passthrough() } } },
    ...errors,
  },
});

const verifyRoute = createRoute({
  method: 'post',
  path: '/v1/admin/audit/verify',
  summary:
    "Vérifier l'intégrité du journal d'audit chaîné (modification, suppression ou permutation d'entrées)",
  responses: {
    200: {
      description: 'Résultat de la vérification',
      content: { 'application/json': { schema: z.object({}).passthrough() } },
    },
    ...errors,
  },
});

const retentionRoute = createRoute({
  method: 'get',
  path: '/v1/admin/retention',
  summary: 'Durées de conservation en vigueur, par catégorie de données, et fréquence de la purge',
  responses: {
    200: {
      description: 'Durées (jours ; 0 = pas de purge automatique)',
      content: { 'application/json': { schema: z.object({}).passthrough() } },
    },
    ...errors,
  },
});

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(auditRoute, async (c) => {
    const q = c.req.valid('query');
    const p = c.get('principal');
    const audit = (services.audit ??= new AuditLog(services.store));
    const data = await audit.page({
      afterSeq: q.after,
      limit: q.limit,
      orgId: p.role === 'superadmin' ? undefined : p.orgId,
    });
    const last = data[data.length - 1];
    return c.json(
      {
        object: 'list',
        data,
        has_more: data.length === q.limit,
        next_after: last ? last.seq : null,
      } as unknown as Record<string, never>,
      200,
    );
  });
  app.openapi(verifyRoute, async (c) => {
    const audit = (services.audit ??= new AuditLog(services.store));
    const v = await audit.verify();
    // The chain is global: report counts and places, never other organisations' entries. Its size
    // and positions measure every organisation's activity: superadmins only.
    const all = c.get('principal').role === 'superadmin';
    return c.json(
      {
        ok: v.ok,
        entries: all ? v.entries : null,
        problems: v.problems.map((p) => ({ seq: all ? p.seq : null, kind: p.kind, message: p.message })),
      } as unknown as Record<string, never>,
      200,
    );
  });
  app.openapi(retentionRoute, async (c) => {
    const r = services.config.privacy.retention;
    return c.json(
      {
        retention: {
          conversations_days: r.conversations_days,
          usage_days: r.usage_days,
          audit_days: r.audit_days,
          documents_days: r.documents_days,
        },
        purge_interval_hours: services.config.privacy.purge_interval_hours,
      } as unknown as Record<string, never>,
      200,
    );
  });
  app.openapi(flowsRoute, async (c) => {
    const report = dataFlowReport(services.config, services.egress.stats(), services.startedAt);
    // Request counts are the whole instance's (every organisation's traffic): superadmins only.
    if (c.get('principal').role !== 'superadmin') {
      for (const e of report.endpoints)
        (e as { requestsSinceStart: number | null }).requestsSinceStart = null;
      report.refused = {};
    }
    return c.json(report as unknown as Record<string, never>, 200);
  });
}
