import { guardInput } from './middleware/input-guard.js';
import { randomUUID } from 'node:crypto';
import '../shared/zod-french.js';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../shared/errors.js';
import type { Services } from '../services.js';
import type { AppEnv } from './env.js';
import { toErrorResponse } from './errors.js';
import { registerSearchRoutes } from './routes/search.js';
import { registerHealthRoutes } from './routes/health.js';
import { mountAccounts } from './middleware/accounts.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerDocsRoutes } from './routes/docs.js';
import { registerChatRoutes } from './routes/openai/chat.js';
import { registerEmbeddingRoutes } from './routes/openai/embeddings.js';
import { registerModelRoutes } from './routes/openai/models.js';
import { auditActor } from './middleware/audit-actor.js';
import { registerPrivacyRoutes } from './routes/privacy.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerSetupRoutes } from './routes/setup.js';
import { registerCollectionRoutes } from './routes/collections.js';
import { isUpload, registerDocumentRoutes, uploadBodyLimit } from './routes/documents.js';
import { registerConversationRoutes } from './routes/conversations.js';
import { registerWebRoutes } from './routes/web.js';
import { createMetrics } from './middleware/metrics.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerBackupRoutes } from './routes/backups.js';
import { registerTrainingRoutes } from './routes/training.js';

/** Builds the Hono application: middleware, then each group of routes. */
export function createApp(services: Services): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const param = issue?.path.join('.') || null;
        throw new AppError(
          'invalid_request',
          `Requête invalide${param ? ` (${param})` : ''} : ${issue?.message ?? ''}`,
          {
            param,
          },
        );
      }
    },
  });

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id =
      incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : `req_${randomUUID().replace(/-/g, '')}`;
    c.set('requestId', id);
    c.set('logger', services.logger);
    c.header('x-request-id', id);
    await next();
  });
  const metrics = services.config.metrics.enabled ? createMetrics(services) : null;
  if (metrics) app.use('*', metrics.requests);
  const maxBody = services.config.server.max_body_bytes;
  const tooLarge = () => {
    throw new AppError('payload_too_large', 'Le corps de la requête dépasse la taille autorisée.');
  };
  const requestLimit = bodyLimit({ maxSize: maxBody, onError: tooLarge });
  const uploadLimit = uploadBodyLimit(services);
  // Document uploads have their own limit (documents.max_upload_bytes). A declared Content-Length
  // is checked here, as bodyLimit would: bodyLimit reads `c.req.raw.body`, which turns the server's
  // light request into a full Request with a web stream (about 5 % of the CPU of a relayed call).
  app.use('/v1/*', (c, next) => {
    if (isUpload(c)) return uploadLimit(c, next);
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return requestLimit(c, next);
    if (parseInt(length, 10) > maxBody) tooLarge();
    return next();
  });
  // JSON bodies too deep, NUL and unpaired surrogates: 400 before any route (every engine alike).
  app.use('*', guardInput());
  // Every /v1 route: API key or session → route permission → quota → usage row.
  mountAccounts(app, services);
  if (metrics) app.use('/v1/*', metrics.tokens);
  app.use('/v1/*', auditActor());

  registerHealthRoutes(app, services);
  registerAuthRoutes(app, services);
  registerSetupRoutes(app, services);
  registerSearchRoutes(app, services);
  registerAdminRoutes(app, services);
  registerModelRoutes(app, services);
  registerChatRoutes(app, services);
  registerEmbeddingRoutes(app, services);
  registerPrivacyRoutes(app, services);
  registerAuditRoutes(app, services);
  registerCollectionRoutes(app, services);
  registerDocumentRoutes(app, services);
  registerDocsRoutes(app);
  registerConversationRoutes(app, services);
  registerJobRoutes(app, services);
  registerBackupRoutes(app, services);
  registerTrainingRoutes(app, services);
  if (metrics) registerMetricsRoutes(app, services, metrics);
  registerWebRoutes(app);

  app.notFound((c) =>
    toErrorResponse(c, new AppError('not_found', `Route inconnue : ${c.req.method} ${c.req.path}`)),
  );
  app.onError((err, c) => toErrorResponse(c, err));
  return app;
}
