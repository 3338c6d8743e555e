import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { UsageTotals } from '../../../store/accounts-spec.js';
import { AppError } from '../../../shared/errors.js';
import type { Services } from '../../../services.js';
import type { AppEnv } from '../../env.js';
import { errors } from './shared.js';

const Totals = z
  .object({
    requests: z.number(),
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    total_tokens: z.number(),
    credits: z.number(),
    energy_wh: z.number(),
    carbon_gco2e: z.number(),
  })
  .openapi('UsageTotals');

const Row = z
  .object({
    at: z.string(),
    user_id: z.string().nullable(),
    key_id: z.string().nullable(),
    who: z.string().nullable().openapi({ description: 'Nom de la personne ou de la clé' }),
    endpoint: z.string(),
    model: z.string().nullable(),
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    credits: z.number(),
    latency_ms: z.number(),
    ttft_ms: z.number().nullable(),
    status: z.number(),
    energy_wh: z.number().nullable(),
    carbon_gco2e: z.number().nullable(),
  })
  .openapi('UsageRow');

const Usage = z
  .object({
    object: z.literal('usage'),
    org_id: z.string(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    model: z.string().nullable(),
    totals: Totals,
    data: z.array(Row).optional(),
    days: z.array(Totals.extend({ day: z.string() })).optional(),
  })
  .openapi('Usage');

const instant = z
  .string()
  .max(40)
  .optional()
  .openapi({ description: 'Date ou instant ISO 8601 (UTC)', example: '2026-01-01' });

const route = createRoute({
  method: 'get',
  path: '/v1/usage',
  summary: "Consommation de l'organisation (requêtes, jetons, crédits, énergie, carbone)",
  description:
    'Totaux sur la période [from, to) et, au choix, les requêtes une à une (group=none, les plus récentes ' +
    "d'abord, au plus `limit`) ou par jour UTC (group=day). Jamais le texte des questions ni des réponses. " +
    'Estimation : énergie (Wh) = jetons × k × P, où P est la taille déclarée du modèle en milliards de ' +
    'paramètres (accounts.models.<id>.parameters_b) et k = accounts.energy.wh_per_token_per_billion_params ' +
    '(1e-5 Wh par défaut : ≈ 2·P·10⁹ FLOP par jeton, ≈ 5·10¹⁰ FLOP/J en service réel, refroidissement compris) ; ' +
    'carbone (gCO2e) = Wh ÷ 1000 × accounts.energy.grid_gco2e_per_kwh (50 par défaut, ordre de grandeur du ' +
    'réseau électrique français). Un modèle sans taille déclarée n’a pas d’estimation. Ce sont des ordres de grandeur, pas des mesures.',
  request: {
    query: z.object({
      from: instant,
      to: instant,
      model: z.string().min(1).max(200).optional(),
      group: z.enum(['none', 'day']).default('none'),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: { description: 'Consommation', content: { 'application/json': { schema: Usage } } },
    ...errors,
  },
});

function parseInstant(value: string | undefined, param: string): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new AppError('invalid_request', `Date invalide (${param}) : « ${value} ».`, { param });
  return new Date(t).toISOString();
}

const totalsJson = (t: UsageTotals) => ({
  requests: t.requests,
  prompt_tokens: t.promptTokens,
  completion_tokens: t.completionTokens,
  total_tokens: t.promptTokens + t.completionTokens,
  credits: t.credits,
  energy_wh: t.energyWh,
  carbon_gco2e: t.carbonG,
});

export function registerUsageRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const filter = {
      orgId: c.get('principal').orgId,
      from: parseInstant(q.from, 'from'),
      to: parseInstant(q.to, 'to'),
      model: q.model,
      limit: q.limit,
    };
    const usage = services.store.accounts.usage;
    const base = {
      object: 'usage' as const,
      org_id: filter.orgId,
      from: filter.from ?? null,
      to: filter.to ?? null,
      model: q.model ?? null,
      totals: totalsJson(await usage.totals(filter)),
    };
    if (q.group === 'day') {
      return c.json(
        { ...base, days: (await usage.daily(filter)).map((d) => ({ day: d.day, ...totalsJson(d) })) },
        200,
      );
    }
    const rows = await usage.list(filter);
    const [people, keys] = await Promise.all([
      services.store.accounts.users.list(filter.orgId),
      services.store.accounts.keys.list(filter.orgId),
    ]);
    const names = new Map<string, string>([
      ...people.map((u): [string, string] => [`u:${u.id}`, u.name || u.email]),
      ...keys.map((k): [string, string] => [`k:${k.id}`, `clé « ${k.name} »`]),
    ]);
    return c.json(
      {
        ...base,
        data: rows.map((r) => ({
          at: r.at,
          user_id: r.userId,
          key_id: r.keyId,
          who:
            (r.userId ? names.get(`u:${r.userId}`) : undefined) ??
            (r.keyId ? names.get(`k:${r.keyId}`) : undefined) ??
            null,
          endpoint: r.endpoint,
          model: r.model,
          prompt_tokens: r.promptTokens,
          completion_tokens: r.completionTokens,
          credits: r.credits,
          latency_ms: r.latencyMs,
          ttft_ms: r.ttftMs,
          status: r.status,
          energy_wh: r.energyWh,
          carbon_gco2e: r.carbonG,
        })),
      },
      200,
    );
  });
}
