import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../../services.js';
import { pilotDay, serviceOfOrg } from '../../../usecases/manage-services.js';
import {
  comparePilot,
  pilotCsv,
  pilotReport,
  type PilotFigures,
  type PilotReport,
} from '../../../usecases/pilot-report.js';
import type { AppEnv } from '../../env.js';
import { errors, OrgIdQuery, targetOrg } from './shared.js';

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Date attendue au format AAAA-MM-JJ')
  .openapi({ example: '2026-11-02' });
const ServiceQuery = z
  .string()
  .min(1)
  .max(64)
  .optional()
  .openapi({ description: 'Seulement les conversations de ce service' });

const figuresJson = (f: PilotFigures) => ({
  questions: f.questions,
  answered: f.answered,
  refused: f.refused,
  refused_share: f.refusedShare,
  negative: f.negative,
  negative_share: f.negativeShare,
  negative_tags: f.negativeTags,
  top_sources: f.topSources,
  stale_citations: f.staleCitations,
  stale_sources: f.staleSources,
  unanswered: f.unanswered,
});

const reportJson = (r: PilotReport) => ({
  object: 'pilot_report' as const,
  org_id: r.orgId,
  service_id: r.serviceId,
  from: r.from,
  to: r.to,
  org_pilot_since: r.orgPilotSince,
  service_pilot_since: r.servicePilotSince,
  stale_after_months: r.staleAfterMonths,
  weeks: r.weeks.map((w) => ({ week: w.week, start: w.start, ...figuresJson(w) })),
  totals: figuresJson(r.totals),
});

const Report = z.record(z.string(), z.unknown()).openapi('PilotReport');

const routes = {
  report: createRoute({
    method: 'get',
    path: '/v1/admin/pilot',
    summary:
      'Tableau de bord du pilote, par semaine : questions, refus, avis négatifs, sources citées, questions sans réponse',
    request: {
      query: z.object({
        from: Day.optional(),
        to: Day.optional(),
        service: ServiceQuery,
        format: z.enum(['json', 'csv']).default('json'),
        org_id: OrgIdQuery,
      }),
    },
    responses: {
      200: {
        description: 'Chiffres du pilote (JSON, ou CSV avec `format=csv`)',
        content: { 'application/json': { schema: Report }, 'text/csv': { schema: z.string() } },
      },
      ...errors,
    },
  }),
  compare: createRoute({
    method: 'get',
    path: '/v1/admin/pilot/compare',
    summary: 'Comparer deux périodes du pilote (B − A)',
    request: {
      query: z.object({
        a_from: Day,
        a_to: Day,
        b_from: Day,
        b_to: Day,
        service: ServiceQuery,
        org_id: OrgIdQuery,
      }),
    },
    responses: {
      200: {
        description: 'Deux périodes et leurs écarts',
        content: { 'application/json': { schema: Report } },
      },
      ...errors,
    },
  }),
  flag: createRoute({
    method: 'put',
    path: '/v1/admin/pilot',
    summary: "Mettre l'organisation en mode pilote (date de début) ou l'en sortir (null)",
    request: {
      body: {
        content: {
          'application/json': {
            schema: z.object({ since: Day.nullable(), org_id: OrgIdQuery }).strict().openapi('PilotFlag'),
          },
        },
        required: true,
      },
    },
    responses: {
      200: {
        description: 'Mode pilote',
        content: {
          'application/json': {
            schema: z.object({ org_id: z.string(), pilot_since: z.string().nullable() }),
          },
        },
      },
      ...errors,
    },
  }),
};

export function registerPilotRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const store = services.store;
  const staleAfterMonths = services.config.knowledge.stale_after_months;
  const scope = async (p: Parameters<typeof targetOrg>[1], orgId?: string, service?: string) => {
    const org = await targetOrg(store, p, orgId);
    if (service) await serviceOfOrg(store, org, service);
    return org;
  };
  app.openapi(routes.report, async (c) => {
    const q = c.req.valid('query');
    const orgId = await scope(c.get('principal'), q.org_id, q.service);
    const r = await pilotReport({
      store,
      orgId,
      from: q.from,
      to: q.to,
      serviceId: q.service,
      staleAfterMonths,
    });
    if (q.format === 'csv')
      return c.body(pilotCsv(r), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="pilote-${r.from}-${r.to}.csv"`,
      }) as never;
    return c.json(reportJson(r), 200);
  });
  app.openapi(routes.compare, async (c) => {
    const q = c.req.valid('query');
    const orgId = await scope(c.get('principal'), q.org_id, q.service);
    const [a, b] = await Promise.all([
      pilotReport({ store, orgId, from: q.a_from, to: q.a_to, serviceId: q.service, staleAfterMonths }),
      pilotReport({ store, orgId, from: q.b_from, to: q.b_to, serviceId: q.service, staleAfterMonths }),
    ]);
    return c.json(
      {
        object: 'pilot_comparison' as const,
        a: reportJson(a),
        b: reportJson(b),
        delta: Object.fromEntries(
          Object.entries(comparePilot(a, b)).map(([k, v]) => [
            k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`),
            v,
          ]),
        ),
      },
      200,
    );
  });
  app.openapi(routes.flag, async (c) => {
    const b = c.req.valid('json');
    const orgId = await targetOrg(store, c.get('principal'), b.org_id);
    const r = await store.accounts.services.setOrgPilot(orgId, pilotDay(b.since) ?? null);
    return c.json({ org_id: r.orgId, pilot_since: r.pilotSince }, 200);
  });
}
