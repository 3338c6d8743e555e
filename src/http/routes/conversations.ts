import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services.js';
import type { AppEnv } from '../env.js';
import { registerAskRoute } from './conversations/ask.js';
import { registerFeedbackRoutes } from './conversations/feedback.js';
import { registerHistoryRoutes } from './conversations/history.js';

/**
 * The advisor's conversations in the web UI: own history (with its retention), questions answered
 * from the sources and kept with their citations, feedback on each answer; and, for the admin,
 * the feedback received in the organisation. The model is always `guichet` (grounded answers).
 */
export function registerConversationRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  registerHistoryRoutes(app, services);
  registerFeedbackRoutes(app, services);
  registerAskRoute(app, services);
}
