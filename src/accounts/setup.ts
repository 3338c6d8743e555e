/**
 * First start, first administrator: while an installation has no administrator, `guichet serve`
 * prints a one-time link (`/installation?jeton=…`, valid one hour) that lets the person at the
 * console create the first administrator in a browser, like Jupyter, Grafana or Open WebUI do. The
 * store keeps only the SHA-256 of the token; a link is used once, and every link is refused as soon
 * as an administrator exists (made by a link, `guichet keys create` or `guichet users add`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../shared/errors.js';
import type { Store } from '../store/spec.js';
import { createApiKey } from './create-api-key.js';
import { ensureDefaultOrganisation } from './create-organisation.js';
import { DEFAULT_ORG_ID, type ApiKey, type User } from './model.js';
import { checkEmail, checkName } from './validate.js';

/** How long a set-up link stays valid. */
export const SETUP_LINK_TTL_SECONDS = 3600;
/** Path of the set-up page; the token is its `jeton` query parameter. */
export const SETUP_PATH = '/installation';

export const hashSetupToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Tokens are 43 base64url characters; anything else is refused before the store is asked. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export async function hasAdministrator(store: Store, now = new Date()): Promise<boolean> {
  return store.accounts.setup.hasAdmin(now.toISOString());
}

/**
 * A new set-up link token when the installation has no administrator, else null. The token is
 * returned once, to be printed on the console; only its hash is stored.
 */
export async function createSetupToken(o: {
  store: Store;
  ttlSeconds?: number;
  now?: Date;
}): Promise<{ token: string; expiresAt: string } | null> {
  const now = o.now ?? new Date();
  if (await hasAdministrator(o.store, now)) {
    await o.store.accounts.setup.deleteTokens(); // links left from before (an admin made by the CLI)
    return null;
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + (o.ttlSeconds ?? SETUP_LINK_TTL_SECONDS) * 1000).toISOString();
  await o.store.accounts.setup.putToken({
    hash: hashSetupToken(token),
    createdAt: now.toISOString(),
    expiresAt,
  });
  return { token, expiresAt };
}

export const SETUP_REFUSED = {
  adminExists:
    'Guichet a déjà un administrateur : ce lien d’installation n’est plus valable. Connectez-vous avec votre clé d’API (ou ProConnect) ; un administrateur peut créer d’autres comptes depuis l’administration.',
  unknown:
    'Ce lien d’installation est inconnu ou a déjà servi. Redémarrez « guichet serve » pour en afficher un nouveau, ou créez une clé administrateur avec « guichet keys create --org default --role admin ».',
  expired:
    'Ce lien d’installation a expiré (il est valable une heure). Redémarrez « guichet serve » pour en afficher un nouveau, ou créez une clé administrateur avec « guichet keys create --org default --role admin ».',
} as const;

/**
 * Checks a presented token without using it: the reason it is refused, or null when the set-up
 * page may be shown. An expired token is forgotten.
 */
export async function checkSetupToken(o: {
  store: Store;
  token: string | undefined;
  now?: Date;
}): Promise<AppError | null> {
  const now = o.now ?? new Date();
  if (await hasAdministrator(o.store, now)) return new AppError('forbidden', SETUP_REFUSED.adminExists);
  if (!o.token || !TOKEN.test(o.token)) return new AppError('not_found', SETUP_REFUSED.unknown);
  const hash = hashSetupToken(o.token);
  const stored = await o.store.accounts.setup.getToken(hash);
  if (!stored) return new AppError('not_found', SETUP_REFUSED.unknown);
  if (Date.parse(stored.expiresAt) <= now.getTime()) {
    await o.store.accounts.setup.takeToken(hash);
    return new AppError('forbidden', SETUP_REFUSED.expired);
  }
  return null;
}

export interface SetupResult {
  user: User;
  key: ApiKey;
  /** The administrator's first API key, shown once and never stored. */
  secret: string;
}

/**
 * Creates the first administrator (organisation `default`, role admin) and their first API key,
 * with a valid link; the link is then used up, and so is every other one. Bad input refuses
 * without using the link, so the person can correct it.
 */
export async function completeSetup(o: {
  store: Store;
  token: string | undefined;
  name: string;
  email: string;
  now?: Date;
}): Promise<SetupResult> {
  const now = o.now ?? new Date();
  const name = checkName(o.name ?? '');
  const email = checkEmail(o.email ?? '');
  // One set-up at a time across the processes sharing the store (PostgreSQL: advisory lock).
  return o.store.meta.exclusive('first-admin', async () => {
    const refused = await checkSetupToken({ store: o.store, token: o.token, now });
    if (refused) throw refused;
    if (await o.store.accounts.users.getByEmail(email))
      throw new AppError(
        'conflict',
        `L’adresse ${email} est déjà celle d’un compte : choisissez-en une autre.`,
        { param: 'email' },
      );
    // The atomic step: of two requests with the same link, only one gets past it.
    if (!(await o.store.accounts.setup.takeToken(hashSetupToken(o.token!))))
      throw new AppError('not_found', SETUP_REFUSED.unknown);
    await ensureDefaultOrganisation(o.store, DEFAULT_ORG_ID);
    const user = await o.store.accounts.users.create({ email, name, orgId: DEFAULT_ORG_ID, role: 'admin' });
    const { key, record } = await createApiKey({
      store: o.store,
      orgId: DEFAULT_ORG_ID,
      role: 'admin',
      userId: user.id,
      name: `Clé de ${name}`.slice(0, 200),
      now: now.getTime(),
    });
    await o.store.accounts.setup.deleteTokens();
    return { user, key: record, secret: key };
  });
}
