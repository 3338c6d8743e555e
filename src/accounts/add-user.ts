import type { Store } from '../store/spec.js';
import { AppError } from '../shared/errors.js';
import type { Role, User } from './model.js';
import { checkEmail, checkName, checkRole } from './validate.js';

export interface AddUserOptions {
  store: Store;
  orgId: string;
  email: string;
  name?: string;
  role: Role | string;
  /** The role of whoever adds the person (absent: the CLI, an operator of the instance). */
  actorRole?: Role;
}

/**
 * Adds a person to an organisation. An e-mail domain claimed by another organisation (its OIDC
 * `emailDomains`) is that organisation's: nobody else's admin may create its people (they would
 * land in the wrong organisation at their first sign-in). An address already known in another
 * organisation gets the same refusal, so that the answer never tells whether it exists there.
 * Superadmins and the CLI are not bound by these rules.
 */
export async function addUser(o: AddUserOptions): Promise<User> {
  const email = checkEmail(o.email);
  const role = checkRole(o.role);
  if (o.actorRole !== undefined && o.actorRole !== 'superadmin') {
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    const claimedElsewhere = (await o.store.accounts.orgs.list()).some(
      (org) => org.id !== o.orgId && org.emailDomains.includes(domain),
    );
    const existing = await o.store.accounts.users.getByEmail(email);
    if (claimedElsewhere || (existing && existing.orgId !== o.orgId)) {
      throw new AppError(
        'forbidden',
        `L'adresse ${email} ne peut pas être ajoutée à votre organisation (domaine réservé à une autre organisation, ou adresse rattachée ailleurs) : adressez-vous à un superadministrateur.`,
        { param: 'email' },
      );
    }
  }
  return o.store.accounts.users.create({
    email,
    name: o.name ? checkName(o.name) : email,
    orgId: o.orgId,
    role,
  });
}
