import type { Permission } from '../../accounts/permissions.js';

/**
 * Every /v1 route and the permission it needs: the one place where routes meet permissions (the
 * roles holding each permission are in `accounts/permissions.ts`). A /v1 route missing here is
 * refused (403) for everyone: a new route must be declared. First match wins; `:name` matches one
 * path segment, a trailing `/*` any rest (or nothing).
 */
export interface RoutePermission {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | '*';
  path: string;
  permission: Permission;
}

export const ROUTE_PERMISSIONS: RoutePermission[] = [
  { method: 'GET', path: '/v1/me', permission: 'me:read' },
  { method: 'GET', path: '/v1/models', permission: 'models:read' },
  { method: 'GET', path: '/v1/models/:id', permission: 'models:read' },
  { method: 'POST', path: '/v1/chat/completions', permission: 'chat:use' },
  { method: 'POST', path: '/v1/search', permission: 'search:use' },
  { method: 'POST', path: '/v1/embeddings', permission: 'search:use' },
  { method: 'GET', path: '/v1/usage', permission: 'usage:read' },
  { method: '*', path: '/v1/keys/*', permission: 'keys:manage' },
  { method: 'GET', path: '/v1/users', permission: 'users:read' },
  // Moving a person between organisations crosses tenants: a superadmin's act.
  { method: 'POST', path: '/v1/users/:id/move', permission: 'orgs:manage' },
  { method: '*', path: '/v1/users/*', permission: 'users:manage' },
  { method: '*', path: '/v1/quotas/*', permission: 'quotas:manage' },
  { method: '*', path: '/v1/organisations/*', permission: 'orgs:manage' },
  { method: 'GET', path: '/v1/documents/*', permission: 'collections:read' },
  { method: 'POST', path: '/v1/documents/*', permission: 'documents:write' },
  { method: 'DELETE', path: '/v1/documents/*', permission: 'documents:write' },
  { method: 'GET', path: '/v1/collections/*', permission: 'collections:read' },
  { method: 'POST', path: '/v1/collections/:id/documents/*', permission: 'documents:write' },
  { method: 'PUT', path: '/v1/collections/:id/documents/*', permission: 'documents:write' },
  { method: 'DELETE', path: '/v1/collections/:id/documents/*', permission: 'documents:write' },
  { method: '*', path: '/v1/collections/*', permission: 'collections:write' },
  { method: 'GET', path: '/v1/admin/services', permission: 'users:read' },
  { method: '*', path: '/v1/admin/services/*', permission: 'users:manage' },
  // The pilot's figures are read like the feedback (admin, DPO); its flag is set by an admin.
  { method: 'GET', path: '/v1/admin/pilot', permission: 'audit:read' },
  { method: 'GET', path: '/v1/admin/pilot/compare', permission: 'audit:read' },
  { method: 'PUT', path: '/v1/admin/pilot', permission: 'users:manage' },
  { method: 'GET', path: '/v1/admin/audit', permission: 'audit:read' },
  { method: 'GET', path: '/v1/admin/data-flows', permission: 'audit:read' },
  { method: 'POST', path: '/v1/admin/audit/verify', permission: 'audit:read' },
  { method: 'GET', path: '/v1/admin/retention', permission: 'audit:read' },
  // Retention is instance-wide (like the configuration): its operator changes it.
  { method: 'PUT', path: '/v1/admin/retention', permission: 'orgs:manage' },
  { method: '*', path: '/v1/audit/*', permission: 'audit:read' },
  { method: 'GET', path: '/v1/admin/ai-tools/*', permission: 'ai_tools:read' },
  { method: '*', path: '/v1/admin/ai-tools/*', permission: 'ai_tools:write' },
  { method: 'GET', path: '/v1/privacy/users/:id/export', permission: 'privacy:read' },
  { method: '*', path: '/v1/privacy/*', permission: 'privacy:manage' },
  { method: '*', path: '/v1/conversations/*', permission: 'chat:use' },
  { method: 'GET', path: '/v1/feedback', permission: 'audit:read' },
  // The national corpus is shared by every organisation: only a superadmin refreshes it.
  { method: 'POST', path: '/v1/admin/ingest/service-public', permission: 'orgs:manage' },
  { method: 'POST', path: '/v1/admin/knowledge/refresh', permission: 'orgs:manage' },
  { method: 'GET', path: '/v1/admin/jobs/:id', permission: 'orgs:manage' },
  { method: 'GET', path: '/v1/admin/backups', permission: 'orgs:manage' },
  { method: 'POST', path: '/v1/admin/backups', permission: 'orgs:manage' },
  // The AI training: everyone takes it; who has taken it is a list of people.
  { method: 'GET', path: '/v1/training', permission: 'training:take' },
  { method: 'POST', path: '/v1/training/quiz', permission: 'training:take' },
  { method: 'POST', path: '/v1/training/quiz/:id/answers', permission: 'training:take' },
  { method: 'GET', path: '/v1/admin/training/completions', permission: 'users:read' },
];

export interface CompiledRoute extends RoutePermission {
  pattern: RegExp;
}

export function compileRoutes(routes: RoutePermission[]): CompiledRoute[] {
  return routes.map((r) => {
    const rest = r.path.endsWith('/*');
    const base = (rest ? r.path.slice(0, -2) : r.path)
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    return { ...r, pattern: new RegExp(`^${base}${rest ? '(?:/.*)?' : ''}/?$`) };
  });
}

export function permissionFor(routes: CompiledRoute[], method: string, path: string): Permission | null {
  const m = method === 'HEAD' ? 'GET' : method;
  return routes.find((r) => (r.method === '*' || r.method === m) && r.pattern.test(path))?.permission ?? null;
}
