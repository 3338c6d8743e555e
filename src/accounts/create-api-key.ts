import type { Store } from '../store/spec.js';
import { AppError } from '../shared/errors.js';
import { generateApiKey } from './api-key-secret.js';
import { roleAtLeast, type ApiKey, type Role } from './model.js';
import { checkName, checkRole } from './validate.js';

export interface CreateApiKeyOptions {
  store: Store;
  orgId: string;
  role: Role | string;
  name?: string;
  userId?: string | null;
  /** Days of validity; absent = no expiry. */
  expiresInDays?: number;
  /** Role of whoever asks (API): a key may not be more powerful than its creator. Absent = CLI. */
  creatorRole?: Role;
  now?: number;
}

export interface CreatedApiKey {
  /** The key itself, shown once and never stored. */
  key: string;
  record: ApiKey;
}

/** The shortest validity of a key: one hour, in days. */
export const MIN_EXPIRY_DAYS = 1 / 24 - 1e-9;

/** Parses `90d`, `12h`, `30` (days) into days; null for `never`. */
export function parseExpiry(text: string): number | null {
  if (text === 'never' || text === 'jamais') return null;
  const m = /^(\d{1,5})\s*([dhj]?)$/.exec(text.trim());
  const days = m ? (m[2] === 'h' ? Number(m[1]) / 24 : Number(m[1])) : NaN;
  if (!(days > 0))
    throw new AppError(
      'invalid_request',
      `Durée de validité invalide : « ${text} » (par exemple 90d, 12h ou never).`,
      { param: 'expires' },
    );
  return days;
}

export async function createApiKey(o: CreateApiKeyOptions): Promise<CreatedApiKey> {
  const role = checkRole(o.role);
  if (o.creatorRole && !roleAtLeast(o.creatorRole, role)) {
    throw new AppError(
      'forbidden',
      `Vous ne pouvez pas créer une clé de rôle ${role}, supérieur au vôtre (${o.creatorRole}).`,
      { param: 'role' },
    );
  }
  // 1 hour at least (a key expiring in under a second was accepted), 10 years at most.
  if (o.expiresInDays !== undefined && !(o.expiresInDays >= MIN_EXPIRY_DAYS && o.expiresInDays <= 3650)) {
    throw new AppError(
      'invalid_request',
      'La durée de validité doit être comprise entre 1 heure et 10 ans.',
      { param: 'expires_in_days' },
    );
  }
  const now = o.now ?? Date.now();
  const expiresAt =
    o.expiresInDays === undefined ? null : new Date(now + o.expiresInDays * 86_400_000).toISOString();
  for (let attempt = 0; ; attempt++) {
    const g = generateApiKey();
    try {
      const record = await o.store.accounts.keys.create({
        orgId: o.orgId,
        userId: o.userId ?? null,
        name: o.name ? checkName(o.name) : 'Clé sans nom',
        role,
        prefix: g.prefix,
        hash: g.hash,
        expiresAt,
      });
      return { key: g.key, record };
    } catch (e) {
      // A prefix collision (≈ 1 in 2·10¹⁴ per pair) draws another key.
      if (!(e instanceof AppError && e.code === 'conflict') || attempt >= 3) throw e;
    }
  }
}

/** Revokes a key of an organisation (`orgId` absent = any, for the CLI). Foreign or unknown id: 404. */
export async function revokeApiKey(o: {
  store: Store;
  id: string;
  orgId?: string;
  /** The revoker's role (absent: the CLI, which may revoke any key). */
  actorRole?: Role;
  now?: number;
}): Promise<ApiKey> {
  const key = await o.store.accounts.keys.get(o.id);
  if (!key || (o.orgId !== undefined && key.orgId !== o.orgId))
    throw new AppError('not_found', `Clé introuvable : ${o.id}`);
  // A role acts on keys of its own level or below: a developer key cannot revoke an admin's.
  if (o.actorRole && !roleAtLeast(o.actorRole, key.role)) {
    throw new AppError(
      'forbidden',
      `Vous ne pouvez pas révoquer une clé de rôle ${key.role}, supérieur au vôtre (${o.actorRole}).`,
    );
  }
  return (await o.store.accounts.keys.revoke(key.id, new Date(o.now ?? Date.now()).toISOString()))!;
}
