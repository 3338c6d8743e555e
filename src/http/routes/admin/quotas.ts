import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { limitsFromConfig } from '../../../accounts/enforce-quota.js';
import type { QuotaLimits } from '../../../accounts/model.js';
import { setQuotas } from '../../../accounts/set-quotas.js';
import { AppError } from '../../../shared/errors.js';
import type { Services } from '../../../services.js';
import type { AppEnv } from '../../env.js';
import { errors, OrgIdQuery, targetOrg } from './shared.js';

const limit = z
  .number()
  .int()
  .min(0)
  .nullable()
  .openapi({ description: 'Entier positif ou nul ; null = pas de limite' });
const Limits = z.object({
  requests_per_minute: limit,
  requests_per_day: limit,
  tokens_per_minute: limit,
  tokens_per_day: limit,
  monthly_credits: limit,
});
const QuotaSchema = Limits.extend({
  object: z.literal('quota'),
  org_id: z.string(),
  key_id: z.string().nullable(),
  source: z.enum(['stored', 'default']),
}).openapi('Quota');
const SetQuota = Limits.partial()
  .extend({ key_id: z.string().min(1).max(100).optional(), org_id: OrgIdQuery })
  .strict()
  .openapi('SetQuota');

const toJson = (l: QuotaLimits) => ({
  requests_per_minute: l.requestsPerMinute,
  requests_per_day: l.requestsPerDay,
  tokens_per_minute: l.tokensPerMinute,
  tokens_per_day: l.tokensPerDay,
  monthly_credits: l.monthlyCredits,
});

const get = createRoute({
  method: 'get',
  path: '/v1/quotas',
  summary: "Quotas de l'organisation, ou d'une de ses clés (admin)",
  request: { query: z.object({ key_id: z.string().min(1).max(100).optional(), org_id: OrgIdQuery }) },
  responses: {
    200: { description: 'Quotas en vigueur', content: { 'application/json': { schema: QuotaSchema } } },
    ...errors,
  },
});

const put = createRoute({
  method: 'put',
  path: '/v1/quotas',
  summary: "Fixer les quotas de l'organisation, ou d'une de ses clés avec key_id (admin)",
  description:
    'Les champs absents valent null (pas de limite). Un crédit = accounts.credits.tokens_per_credit jetons (réglable par modèle).',
  request: { body: { content: { 'application/json': { schema: SetQuota } }, required: true } },
  responses: {
    200: { description: 'Quotas enregistrés', content: { 'application/json': { schema: QuotaSchema } } },
    ...errors,
  },
});

export function registerQuotaRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const defaults = services.config.accounts.quotas;
  app.openapi(get, async (c) => {
    const q = c.req.valid('query');
    const orgId = await targetOrg(services.store, c.get('principal'), q.org_id);
    if (q.key_id) {
      const key = await services.store.accounts.keys.get(q.key_id);
      if (!key || key.orgId !== orgId) throw new AppError('not_found', `Clé introuvable : ${q.key_id}`);
    }
    const stored = await services.store.accounts.quotas.get(q.key_id ? 'key' : 'org', q.key_id ?? orgId);
    const limits = stored ?? limitsFromConfig(q.key_id ? defaults.key : defaults.org);
    return c.json(
      {
        object: 'quota' as const,
        org_id: orgId,
        key_id: q.key_id ?? null,
        source: stored ? ('stored' as const) : ('default' as const),
        ...toJson(limits),
      },
      200,
    );
  });
  app.openapi(put, async (c) => {
    const b = c.req.valid('json');
    const orgId = await targetOrg(services.store, c.get('principal'), b.org_id);
    const r = await setQuotas({
      store: services.store,
      orgId,
      keyId: b.key_id,
      limits: {
        requestsPerMinute: b.requests_per_minute ?? null,
        requestsPerDay: b.requests_per_day ?? null,
        tokensPerMinute: b.tokens_per_minute ?? null,
        tokensPerDay: b.tokens_per_day ?? null,
        monthlyCredits: b.monthly_credits ?? null,
      },
      actorRole: c.get('principal').role,
    });
    return c.json(
      {
        object: 'quota' as const,
        org_id: orgId,
        key_id: b.key_id ?? null,
        source: 'stored' as const,
        ...toJson(r.limits),
      },
      200,
    );
  });
}
