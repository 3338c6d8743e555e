import type { MiddlewareHandler } from 'hono';
import type { Services } from '../../services.js';
import { checkTrainingGate } from '../../usecases/manage-training.js';
import type { AppEnv } from '../env.js';

/** The routes that put a question to the assistant (a model or the search). */
const QUESTION_ROUTES = [
  /^\/v1\/conversations\/[^/]+\/messages\/?$/,
  /^\/v1\/chat\/completions\/?$/,
  /^\/v1\/search\/?$/,
];

/**
 * `training.required`: a person signed in through the web UI who has not passed the current version
 * of the AI training gets a 403 `training_required` on the question routes (before any quota is
 * counted). API keys are not held: they serve machine use (see README).
 */
export function requireTraining(services: Services): MiddlewareHandler<AppEnv> {
  const deps = { store: services.store, config: services.config.training };
  return async (c, next) => {
    if (deps.config.required && c.req.method === 'POST' && QUESTION_ROUTES.some((r) => r.test(c.req.path)))
      await checkTrainingGate(deps, c.get('principal'));
    return next();
  };
}
