import type { Service, User } from '../accounts/model.js';
import { AppError } from '../shared/errors.js';
import { hasUnsafeChars } from '../shared/text-safety.js';
import type { Store } from '../store/spec.js';
import { day } from './pilot-report.js';

/** A service's name: one line, 1 to 100 characters. */
export function serviceName(name: string): string {
  const n = name.replace(/\s+/g, ' ').trim();
  if (!n || n.length > 100 || hasUnsafeChars(n))
    throw new AppError('invalid_request', 'Nom de service invalide (1 à 100 caractères).', { param: 'name' });
  return n;
}

/** A pilot's start day (`YYYY-MM-DD`), or null to end the pilot. */
export function pilotDay(value: string | null | undefined): string | null | undefined {
  if (value === null || value === undefined) return value;
  day(value, 'pilot_since');
  return value;
}

/** A service of the organisation (null: of any, for a superadmin); a foreign or unknown one is the same 404. */
export async function serviceOfOrg(store: Store, orgId: string | null, id: string): Promise<Service> {
  const s = await store.accounts.services.get(id);
  if (!s || (orgId !== null && s.orgId !== orgId))
    throw new AppError('not_found', `Service introuvable : ${id}`);
  return s;
}

/** Finds a service of the organisation by id or by name (any case), for the CLI. */
export async function findService(store: Store, orgId: string, idOrName: string): Promise<Service> {
  const list = await store.accounts.services.list(orgId);
  const s =
    list.find((x) => x.id === idOrName) ??
    list.find((x) => x.name.toLocaleLowerCase('fr') === idOrName.trim().toLocaleLowerCase('fr'));
  if (!s) throw new AppError('not_found', `Service introuvable : ${idOrName}`);
  return s;
}

/** Attaches a person of the organisation to one of its services (null: to none). */
export async function setUserService(
  store: Store,
  orgId: string,
  userId: string,
  serviceId: string | null,
): Promise<User> {
  const user = await store.accounts.users.get(userId);
  if (!user || user.orgId !== orgId) throw new AppError('not_found', `Utilisateur introuvable : ${userId}`);
  if (serviceId !== null) await serviceOfOrg(store, orgId, serviceId);
  return (await store.accounts.users.setService(userId, serviceId))!;
}
