import { z } from '@hono/zod-openapi';
import type { ApiKey, Principal } from '../../../accounts/model.js';
import { AppError } from '../../../shared/errors.js';
import type { Store } from '../../../store/spec.js';

export const RoleSchema = z.enum(['agent', 'developer', 'dpo', 'admin', 'superadmin']);
export const OrgIdQuery = z
  .string()
  .min(1)
  .max(64)
  .optional()
  .openapi({ description: 'Autre organisation (superadmin seulement)' });
export const ErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .openapi('Error');

export const errors = {
  400: { description: 'Requête invalide', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Clé absente ou invalide', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'Rôle insuffisant', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: 'Introuvable', content: { 'application/json': { schema: ErrorSchema } } },
  429: { description: 'Quota dépassé', content: { 'application/json': { schema: ErrorSchema } } },
};

/**
 * The organisation a request acts on: the caller's own, or (superadmin only) the one asked for.
 * A foreign or unknown organisation gets the same 404.
 */
export async function targetOrg(store: Store, p: Principal, requested: string | undefined): Promise<string> {
  if (requested === undefined || requested === p.orgId) return p.orgId;
  if (p.role === 'superadmin' && (await store.accounts.orgs.get(requested))) return requested;
  throw new AppError('not_found', `Organisation introuvable : ${requested}`);
}

export const ApiKeySchema = z
  .object({
    id: z.string(),
    object: z.literal('api_key'),
    name: z.string(),
    role: RoleSchema,
    org_id: z.string(),
    user_id: z.string().nullable(),
    prefix: z.string().openapi({ description: 'Début visible de la clé', example: 'gch_Ab12Cd34' }),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
  })
  .openapi('ApiKey');

export function apiKeyJson(k: ApiKey): z.infer<typeof ApiKeySchema> {
  return {
    id: k.id,
    object: 'api_key',
    name: k.name,
    role: k.role,
    org_id: k.orgId,
    user_id: k.userId,
    prefix: `gch_${k.prefix}`,
    created_at: k.createdAt,
    expires_at: k.expiresAt,
    revoked_at: k.revokedAt,
    last_used_at: k.lastUsedAt,
  };
}
