import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AccountsDeps } from '../../accounts/deps.js';
import type { Services } from '../../services.js';
import type { AppEnv } from '../env.js';
import { authenticate } from './auth.js';
import { authorize } from './authorize.js';
import { limitConcurrency } from './concurrency.js';
import { enforceQuotas } from './quota.js';
import type { RoutePermission } from './route-permissions.js';
import { trackUsage } from './usage.js';
import { requireTraining } from './training-gate.js';

/** The accounts dependencies of the app. */
export function accountsDeps(services: Services): AccountsDeps {
  return { store: services.store, limiter: services.limiter, config: services.config.accounts };
}

/**
 * Applies, on every /v1 route and in this order: authentication (key or session) → permission of
 * the route → AI training (`training.required`, question routes) → quota (one request counted) → usage row. Register before the routes.
 */
export function mountAccounts(
  app: OpenAPIHono<AppEnv>,
  services: Services,
  options: { routes?: RoutePermission[] } = {},
): AccountsDeps {
  const deps = accountsDeps(services);
  app.use('/v1/*', authenticate({ store: services.store, resolveSession: services.resolveSession }));
  app.use('/v1/*', authorize(options.routes));
  app.use('/v1/*', requireTraining(services));
  app.use('/v1/*', enforceQuotas(deps));
  app.use('/v1/*', limitConcurrency(services.config.accounts.max_concurrent));
  app.use('/v1/*', trackUsage(deps));
  return deps;
}
