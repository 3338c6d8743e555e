import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ingestJobData, INGEST_SERVICE_PUBLIC_JOB } from '../../jobs/ingest-job.js';
import { jobQueue } from '../../jobs/index.js';
import { REFRESH_SERVICE_PUBLIC_JOB } from '../../jobs/refresh-job.js';
import type { JobStatus } from '../../jobs/spec.js';
import type { Services } from '../../services.js';
import { AppError } from '../../shared/errors.js';
import type { AppEnv } from '../env.js';
import { errors } from './admin/shared.js';

const JobSchema = z
  .object({
    id: z.string(),
    object: z.literal('job'),
    type: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    retries: z.number().int(),
    progress: z.object({ done: z.number().int(), total: z.number().int() }).nullable(),
    result: z.unknown(),
    error: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
  })
  .openapi('Job');

const IngestBody = z
  .object({
    /** A DILA zip (vosdroits-latest.zip) or a folder of XML files, on the server; absent = built-in package. */
    source: z.string().min(1).max(4096).optional(),
  })
  .strict()
  .openapi('IngestServicePublic');

const json = (j: JobStatus) => ({
  id: j.id,
  object: 'job' as const,
  type: j.name,
  status: j.state,
  retries: j.retries,
  progress: j.progress,
  result: j.result,
  error: j.error,
  created_at: j.createdAt,
  started_at: j.startedAt,
  completed_at: j.completedAt,
});

const ingest = createRoute({
  method: 'post',
  path: '/v1/admin/ingest/service-public',
  summary: 'Rafraîchir le corpus service-public.fr (tâche de fond, superadmin)',
  request: { body: { content: { 'application/json': { schema: IngestBody } }, required: false } },
  responses: {
    202: { description: 'Tâche mise en file', content: { 'application/json': { schema: JobSchema } } },
    ...errors,
  },
});

const refresh = createRoute({
  method: 'post',
  path: '/v1/admin/knowledge/refresh',
  summary:
    'Mettre à jour le corpus depuis la DILA (tâche de fond, superadmin) : archives téléchargées, vérifiées, réindexation des seules fiches modifiées ; le résultat (GET /v1/admin/jobs/{id}) liste les fiches ajoutées, modifiées, retirées',
  responses: {
    202: { description: 'Tâche mise en file', content: { 'application/json': { schema: JobSchema } } },
    ...errors,
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/admin/jobs/{id}',
  summary: "État d'une tâche de fond (superadmin)",
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: {
    200: { description: 'Tâche', content: { 'application/json': { schema: JobSchema } } },
    ...errors,
  },
});

export function registerJobRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(ingest, async (c) => {
    const body = (c.req.valid('json') as z.infer<typeof IngestBody> | undefined) ?? {};
    const queue = await jobQueue(services);
    const id = await queue.enqueue(INGEST_SERVICE_PUBLIC_JOB, ingestJobData(body.source));
    const job = await queue.get(id);
    return c.json(json(job!), 202);
  });

  app.openapi(refresh, async (c) => {
    const queue = await jobQueue(services);
    const id = await queue.enqueue(REFRESH_SERVICE_PUBLIC_JOB, {});
    const job = await queue.get(id);
    return c.json(json(job!), 202);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    const job = await (await jobQueue(services)).get(id);
    if (!job) throw new AppError('not_found', `Tâche inconnue : ${id}`);
    return c.json(json(job), 200);
  });
}
