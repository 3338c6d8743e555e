import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { dataFlowReport } from '../../privacy/data-flows.js';
import type { Services } from '../../services.js';
import type { AppEnv } from '../env.js';
import { effectiveRetention, setRetention } from '../../privacy/retention-settings.js';
import { can } from '../../accounts/permissions.js';
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

const setRetentionRoute = createRoute({
  method: 'put',
  path: '/v1/admin/retention',
  summary:
    'Changer les durées de conservation (exploitant de l’instance) : jours entiers, 0 = pas de purge automatique ; modification inscrite au journal d’audit',
  request: {
    body: { content: { 'application/json': { schema: z.object({}).passthrough() } }, required: true },
  },
  responses: {
    200: {
      description: 'Durées en vigueur',
      content: { 'application/json': { schema: z.object({}).passthrough() } },
    },
    ...errors,
  },
});

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(auditRoute, async (c) => {
    const q = c.req.valid('query');
    const p = c.get('principal');
    const audit = services.audit;
    const data = await audit.page({
      afterSeq: q.after,
      limit: q.limit,
      orgId: p.role === 'superadmin' ? undefined : p.orgId,
    });
    const last = data[data.length - 1];
    // Who acted, in words: the key's name, the person's name (through the audit pseudonym).
    const orgId = p.role === 'superadmin' ? undefined : p.orgId;
    const [keys, users] = await Promise.all([
      services.store.accounts.keys.list(orgId),
      orgId ? services.store.accounts.users.list(orgId) : Promise.resolve([]),
    ]);
    const names = new Map<string, string>(keys.map((k) => [`key:${k.id}`, `clé « ${k.name} »`]));
    const actors = new Set(data.map((e) => e.actor));
    for (const u of users) {
      const sub = await services.store.audit.findSubject(u.id);
      if (sub && actors.has(sub)) names.set(sub, u.name || u.email);
    }
    names.set('cli', 'ligne de commande (serveur)');
    names.set('system', 'Guichet (tâche automatique)');
    return c.json(
      {
        object: 'list',
        data: data.map((e) => ({ ...e, actor_name: names.get(e.actor) ?? null })),
        has_more: data.length === q.limit,
        next_after: last ? last.seq : null,
      } as unknown as Record<string, never>,
      200,
    );
  });
  app.openapi(verifyRoute, async (c) => {
    const audit = services.audit;
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
    const r = await effectiveRetention(services.store, services.config.privacy.retention);
    return c.json(
      {
        source: r.source,
        editable: can(c.get('principal').role, 'orgs:manage'),
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
  app.openapi(setRetentionRoute, async (c) => {
    const { audit } = services;
    const r = await setRetention(
      services.store,
      audit,
      services.config.privacy.retention,
      c.req.valid('json'),
    );
    return c.json(
      {
        source: r.source,
        editable: true,
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
