import type { MiddlewareHandler } from 'hono';
import { can } from '../../accounts/permissions.js';
import { AppError } from '../../shared/errors.js';
import type { AppEnv } from '../env.js';
import {
  compileRoutes,
  permissionFor,
  ROUTE_PERMISSIONS,
  type RoutePermission,
} from './route-permissions.js';

/** Checks the route's permission (from the route table) against the principal's role: 403 otherwise. */
export function authorize(routes: RoutePermission[] = ROUTE_PERMISSIONS): MiddlewareHandler<AppEnv> {
  const compiled = compileRoutes(routes);
  return async (c, next) => {
    const permission = permissionFor(compiled, c.req.method, c.req.path);
    if (!permission) {
      throw new AppError(
        'forbidden',
        `Aucune permission n'est déclarée pour ${c.req.method} ${c.req.path} : accès refusé.`,
      );
    }
    const { role } = c.get('principal');
    if (!can(role, permission)) {
      throw new AppError(
        'forbidden',
        `Votre rôle (${role}) ne permet pas cette action (permission ${permission} requise).`,
      );
    }
    return next();
  };
}
