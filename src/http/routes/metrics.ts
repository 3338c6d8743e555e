import { createHash, timingSafeEqual } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services.js';
import { AppError } from '../../shared/errors.js';
import type { AppEnv } from '../env.js';
import type { AppMetrics } from '../middleware/metrics.js';

/**
 * The bearer token /metrics requires, from `metrics.token_env` (preferred) or `metrics.token`;
 * null when `metrics.public` is set. Checked when the app is built: a missing variable stops the
 * start with the name to set.
 */
export function metricsToken(services: Services, env: NodeJS.ProcessEnv = process.env): string | null {
  const m = services.config.metrics;
  if (m.token_env) {
    const value = env[m.token_env];
    if (!value || value.length < 16) {
      throw new AppError(
        'config_invalid',
        `metrics.token_env désigne ${m.token_env}, mais cette variable est absente ou trop courte (16 caractères au moins).`,
      );
    }
    return value;
  }
  if (m.token) return m.token;
  if (m.public) return null;
  throw new AppError(
    'config_invalid',
    'metrics.enabled exige metrics.token_env (ou metrics.token), ou metrics.public: true.',
  );
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** GET /metrics (Prometheus text format), outside /v1: not an API route, guarded by its own token. */
export function registerMetricsRoutes(
  app: OpenAPIHono<AppEnv>,
  services: Services,
  metrics: AppMetrics,
): void {
  const token = metricsToken(services);
  const expected = token === null ? null : digest(token);
  app.get('/metrics', async (c) => {
    if (expected) {
      const given = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (!given || !timingSafeEqual(digest(given), expected)) {
        c.header('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new AppError('unauthorized', 'Jeton des métriques absent ou invalide.');
      }
    }
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  });
}
