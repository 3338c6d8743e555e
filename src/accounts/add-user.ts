import type { Store } from '../store/spec.js';
import type { Role, User } from './model.js';
import { checkEmail, checkName, checkRole } from './validate.js';

export interface AddUserOptions {
  store: Store;
  orgId: string;
  email: string;
  name?: string;
  role: Role | string;
}

export async function addUser(o: AddUserOptions): Promise<User> {
  const email = checkEmail(o.email);
  return o.store.accounts.users.create({
    email,
    name: o.name ? checkName(o.name) : email,
    orgId: o.orgId,
    role: checkRole(o.role),
  });
}
