import type { Store } from '../store/spec.js';
import type { UserMove } from '../store/accounts-spec.js';
import { AppError } from '../shared/errors.js';
import { checkRole } from './validate.js';

export interface MoveUserOptions {
  store: Store;
  /** The person's id, or their e-mail address. */
  user: string;
  orgId: string;
  /** New role (absent: the person keeps theirs). */
  role?: string;
}

/**
 * Moves a person to another organisation (a superadmin's act: the route and the CLI are theirs
 * only). Their API keys are revoked rather than moved: a key was issued by and for the old
 * organisation (its role, its quotas, its usage), and the person's new admins issue new ones.
 * Their sessions end, so the next request is made in the new organisation after signing in again.
 * Conversations and usage stay with the old organisation, whose records they are. Audited as
 * `user.moved` by the audited store.
 */
export async function moveUser(o: MoveUserOptions): Promise<UserMove> {
  const user = o.user.includes('@')
    ? await o.store.accounts.users.getByEmail(o.user)
    : await o.store.accounts.users.get(o.user);
  if (!user) throw new AppError('not_found', `Personne introuvable : ${o.user}`);
  const role = o.role === undefined ? user.role : checkRole(o.role);
  if (user.orgId === o.orgId && user.role === role) {
    throw new AppError(
      'invalid_request',
      `${user.email} est déjà dans l'organisation ${o.orgId} avec ce rôle.`,
      {
        param: 'org_id',
      },
    );
  }
  const moved = await o.store.accounts.users.move(user.id, o.orgId, role);
  if (!moved) throw new AppError('not_found', `Personne introuvable : ${o.user}`);
  return moved;
}
