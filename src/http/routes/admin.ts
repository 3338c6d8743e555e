import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services.js';
import type { AppEnv } from '../env.js';
import { registerAiToolRoutes } from './admin/ai-tools.js';
import { registerKeyRoutes } from './admin/keys.js';
import { registerMeRoutes } from './admin/me.js';
import { registerOrgRoutes } from './admin/orgs.js';
import { registerPilotRoutes } from './admin/pilot.js';
import { registerQuotaRoutes } from './admin/quotas.js';
import { registerServiceRoutes } from './admin/services.js';
import { registerUsageRoutes } from './admin/usage.js';
import { registerUserRoutes } from './admin/users.js';

/** Accounts routes: /v1/me, /v1/usage, and the admin API (organisations, users, keys, quotas, services, pilot, AI tools). */
export function registerAdminRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  registerMeRoutes(app, services);
  registerUsageRoutes(app, services);
  registerOrgRoutes(app, services);
  registerUserRoutes(app, services);
  registerKeyRoutes(app, services);
  registerQuotaRoutes(app, services);
  registerAiToolRoutes(app, services);
  registerServiceRoutes(app, services);
  registerPilotRoutes(app, services);
}
