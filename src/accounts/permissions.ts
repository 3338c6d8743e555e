import type { Role } from './model.js';

/**
 * Permissions as data: each permission and the roles that hold it. This table is the only place
 * where roles meet actions; the HTTP layer maps routes to permissions (`http/middleware/`) and
 * checks them in one middleware. `superadmin` holds every permission; `dpo` reads (privacy,
 * audit, usage, the list of people) and keeps one thing, the inventory of AI tools: it is their
 * register (legal basis, DPIA status and conformity are the DPO's judgement).
 */
export const PERMISSIONS = {
  'me:read': ['agent', 'developer', 'dpo', 'admin', 'superadmin'],
  'chat:use': ['agent', 'developer', 'admin', 'superadmin'],
  'search:use': ['agent', 'developer', 'admin', 'superadmin'],
  'models:read': ['agent', 'developer', 'admin', 'superadmin'],
  'collections:read': ['agent', 'developer', 'admin', 'superadmin'],
  'collections:write': ['admin', 'superadmin'],
  'documents:write': ['developer', 'admin', 'superadmin'],
  'keys:manage': ['developer', 'admin', 'superadmin'],
  'usage:read': ['developer', 'dpo', 'admin', 'superadmin'],
  'users:read': ['dpo', 'admin', 'superadmin'],
  'users:manage': ['admin', 'superadmin'],
  'quotas:manage': ['admin', 'superadmin'],
  'audit:read': ['dpo', 'admin', 'superadmin'],
  /** Reads a person's data (right of access export); the erasure is `privacy:manage`. */
  'privacy:read': ['dpo', 'admin', 'superadmin'],
  'privacy:manage': ['admin', 'superadmin'],
  /** The inventory of AI tools (`/v1/admin/ai-tools`): read and kept by the admin and the DPO. */
  'ai_tools:read': ['dpo', 'admin', 'superadmin'],
  'ai_tools:write': ['dpo', 'admin', 'superadmin'],
  'orgs:manage': ['superadmin'],
  /** The AI training (AI Act art. 4): every person follows it and takes its quiz. */
  'training:take': ['agent', 'developer', 'dpo', 'admin', 'superadmin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
