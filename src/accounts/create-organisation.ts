import type { Store } from '../store/spec.js';
import { AppError } from '../shared/errors.js';
import type { Organisation } from './model.js';
import { checkDomains, checkName, checkSiret } from './validate.js';

export interface CreateOrganisationOptions {
  store: Store;
  id?: string;
  name: string;
  siret?: string | null;
  emailDomains?: string[];
  sensitive?: boolean;
  allowSelfSignup?: boolean;
}

export async function createOrganisation(o: CreateOrganisationOptions): Promise<Organisation> {
  if (o.id !== undefined && !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(o.id)) {
    throw new AppError(
      'invalid_request',
      `Identifiant d'organisation invalide : « ${o.id} » (minuscules, chiffres, « - », « _ »).`,
      { param: 'id' },
    );
  }
  return o.store.accounts.orgs.create({
    id: o.id,
    name: checkName(o.name),
    siret: checkSiret(o.siret),
    emailDomains: checkDomains(o.emailDomains),
    sensitive: o.sensitive ?? false,
    allowSelfSignup: o.allowSelfSignup ?? false,
  });
}

/** Creates the `default` organisation on a fresh install; returns true when it was created. */
export async function ensureDefaultOrganisation(store: Store, id: string): Promise<boolean> {
  if (await store.accounts.orgs.get(id)) return false;
  try {
    await store.accounts.orgs.create({ id, name: 'Organisation par défaut' });
    return true;
  } catch (e) {
    if (e instanceof AppError && e.code === 'conflict') return false; // created meanwhile by another process
    throw e;
  }
}
