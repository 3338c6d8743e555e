import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Principal } from '../../../accounts/model.js';
import {
  AiToolCreateSchema,
  AiToolPatchSchema,
  CHECKLIST,
  CNIL_GENAI_SOURCE,
  DPIA_STATUSES,
  GUICHET_TOOL_ID,
  GuichetPatchSchema,
  LEGAL_BASES,
  aiToolJson,
  readDetails,
  type AiTool,
} from '../../../privacy/ai-tools.js';
import {
  listAiTools,
  registerExport,
  setGuichetFields,
  type RegisterFormat,
} from '../../../usecases/manage-ai-tools.js';
import type { Services } from '../../../services.js';
import { AppError } from '../../../shared/errors.js';
import type { AppEnv } from '../../env.js';
import { errors, OrgIdQuery, targetOrg } from './shared.js';

const Tool = z.object({}).passthrough().openapi('AiTool');
const ok = (description: string, schema: z.ZodTypeAny = Tool) => ({
  description,
  content: { 'application/json': { schema } },
});
const IdParam = z.object({ id: z.string().min(1).max(100) });
const OrgQuery = z.object({ org_id: OrgIdQuery });

const routes = {
  list: createRoute({
    method: 'get',
    path: '/v1/admin/ai-tools',
    summary:
      'Inventaire des outils d’IA de l’organisation (Guichet en tête, calculé), ou son export pour le registre (format=csv|md|pdf)',
    request: {
      query: OrgQuery.extend({
        format: z
          .enum(['json', 'csv', 'md', 'pdf'], { error: 'Format inconnu (attendu : json, csv, md ou pdf).' })
          .default('json'),
      }),
    },
    responses: {
      200: {
        description: 'Liste (JSON) ou export (CSV, Markdown, PDF)',
        content: {
          'application/json': { schema: z.object({}).passthrough() },
          'text/csv': { schema: { type: 'string' } },
          'text/markdown': { schema: { type: 'string' } },
          'application/pdf': { schema: { type: 'string', format: 'binary' } },
        },
      },
      ...errors,
    },
  }),
  create: createRoute({
    method: 'post',
    path: '/v1/admin/ai-tools',
    summary: 'Ajouter un outil d’IA à l’inventaire (admin, délégué à la protection des données)',
    request: {
      query: OrgQuery,
      body: { content: { 'application/json': { schema: AiToolCreateSchema } }, required: true },
    },
    responses: { 201: ok('Outil ajouté'), ...errors },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/admin/ai-tools/{id}',
    summary: 'Un outil de l’inventaire (`guichet` : l’entrée calculée)',
    request: { params: IdParam, query: OrgQuery },
    responses: { 200: ok('Outil'), ...errors },
  }),
  /** Registered before `update`: the same path, its own fields. */
  updateGuichet: createRoute({
    method: 'patch',
    path: `/v1/admin/ai-tools/${GUICHET_TOOL_ID}`,
    summary:
      'Renseigner, pour l’entrée calculée de Guichet, ce que la configuration ne dit pas : l’AIPD de l’organisation (statut, date, référence) et ses notes',
    request: {
      query: OrgQuery,
      body: { content: { 'application/json': { schema: GuichetPatchSchema } }, required: true },
    },
    responses: { 200: ok('Entrée de Guichet, avec les champs de l’organisation'), ...errors },
  }),
  update: createRoute({
    method: 'patch',
    path: '/v1/admin/ai-tools/{id}',
    summary: 'Modifier un outil de l’inventaire',
    request: {
      params: IdParam,
      query: OrgQuery,
      body: { content: { 'application/json': { schema: AiToolPatchSchema } }, required: true },
    },
    responses: { 200: ok('Outil modifié'), ...errors },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/v1/admin/ai-tools/{id}',
    summary: 'Retirer un outil de l’inventaire',
    request: { params: IdParam, query: OrgQuery },
    responses: {
      200: ok('Retiré', z.object({ id: z.string(), object: z.literal('ai_tool'), deleted: z.literal(true) })),
      ...errors,
    },
  }),
};

const CONTENT_TYPES: Record<RegisterFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  pdf: 'application/pdf',
};

/** The inventory of AI tools (`/admin/outils-ia` in the web UI): read by admin and DPO, kept by both. */
export function registerAiToolRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const store = services.store;
  const orgOf = (p: Principal, q: { org_id?: string }) => targetOrg(store, p, q.org_id);
  const guichetReadOnly = () =>
    new AppError(
      'conflict',
      'L’entrée « Guichet » est calculée à partir de la configuration : elle ne se retire pas de l’inventaire.',
    );
  /** A stored tool of the organisation (another organisation's reads as unknown). */
  const own = async (orgId: string, id: string) => {
    const t = await store.aiTools.get(id);
    if (!t || t.orgId !== orgId) throw new AppError('not_found', `Outil d’IA introuvable : ${id}`);
    return t;
  };

  app.openapi(routes.list, async (c) => {
    const q = c.req.valid('query');
    const orgId = await orgOf(c.get('principal'), q);
    if (q.format !== 'json') {
      const file = await registerExport(services, orgId, q.format);
      c.header('Content-Type', CONTENT_TYPES[q.format]);
      c.header('Content-Disposition', `attachment; filename="${file.name}"`);
      return c.body(file.body as never, 200) as never;
    }
    const data: AiTool[] = await listAiTools(services, orgId);
    return c.json(
      {
        object: 'list' as const,
        data,
        checklist: CHECKLIST,
        legal_bases: LEGAL_BASES,
        dpia_statuses: DPIA_STATUSES,
        source: CNIL_GENAI_SOURCE,
      } as unknown as Record<string, never>,
      200,
    );
  });

  app.openapi(routes.create, async (c) => {
    const orgId = await orgOf(c.get('principal'), c.req.valid('query'));
    const { name, ...details } = c.req.valid('json');
    const created = await store.aiTools.create({ orgId, name, details });
    return c.json(aiToolJson(created) as unknown as Record<string, never>, 201);
  });

  app.openapi(routes.get, async (c) => {
    const orgId = await orgOf(c.get('principal'), c.req.valid('query'));
    const { id } = c.req.valid('param');
    const tool =
      id === GUICHET_TOOL_ID ? (await listAiTools(services, orgId))[0] : aiToolJson(await own(orgId, id));
    return c.json(tool as unknown as Record<string, never>, 200);
  });

  app.openapi(routes.updateGuichet, async (c) => {
    const orgId = await orgOf(c.get('principal'), c.req.valid('query'));
    const tool = await setGuichetFields(services, orgId, c.req.valid('json'));
    return c.json(tool as unknown as Record<string, never>, 200);
  });

  app.openapi(routes.update, async (c) => {
    const orgId = await orgOf(c.get('principal'), c.req.valid('query'));
    const { id } = c.req.valid('param');
    const current = await own(orgId, id);
    const { name, ...patch } = c.req.valid('json');
    // Only the fields sent change (a nested `data` replaces the whole data block).
    const sent = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const details = { ...readDetails(current.details), ...sent };
    const updated = await store.aiTools.update(id, { name, details });
    if (!updated) throw new AppError('not_found', `Outil d’IA introuvable : ${id}`);
    return c.json(aiToolJson(updated) as unknown as Record<string, never>, 200);
  });

  app.openapi(routes.remove, async (c) => {
    const orgId = await orgOf(c.get('principal'), c.req.valid('query'));
    const { id } = c.req.valid('param');
    if (id === GUICHET_TOOL_ID) throw guichetReadOnly();
    await own(orgId, id);
    await store.aiTools.delete(id);
    return c.json({ id, object: 'ai_tool' as const, deleted: true as const }, 200);
  });
}
