import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import type { Store } from '../../store/spec.js';
import type { Organisation, User } from '../model.js';
import { checkEmail } from '../validate.js';

/** Claims Guichet reads from the ID token and userinfo (ProConnect names); anything else ignored. */
export const identityClaimsSchema = z.looseObject({
  sub: z.string().min(1),
  email: z.string().min(3).max(254),
  given_name: z.string().max(200).optional().catch(undefined),
  usual_name: z.string().max(200).optional().catch(undefined),
  family_name: z.string().max(200).optional().catch(undefined),
  siret: z.string().max(32).optional().catch(undefined),
});
export type IdentityClaims = z.output<typeof identityClaimsSchema>;

export interface SignInUserOptions {
  store: Store;
  claims: unknown;
}

export interface SignInResult {
  user: User;
  organisation: Organisation;
  /** True when this sign-in created the user (self-signup as `agent`). */
  created: boolean;
}

const refuse = (message: string) => new AppError('forbidden', message);

function displayName(c: IdentityClaims, email: string): string {
  const name = [c.given_name, c.usual_name ?? c.family_name]
    .filter((p) => p && p.trim())
    .join(' ')
    .trim();
  return name.length > 0 ? name.slice(0, 200) : email;
}

/**
 * Maps a verified identity to a Guichet user. A known e-mail signs in as that user. Otherwise the
 * organisation is found by SIRET (when the provider sends one that an organisation holds), else by
 * e-mail domain; either way the domain must be among the organisation's allowed domains and the
 * organisation must allow self-signup: the user is then created as `agent`. Refusals are
 * AppError('forbidden') with a French message meant for the person signing in.
 */
export async function signInUser(o: SignInUserOptions): Promise<SignInResult> {
  const parsed = identityClaimsSchema.safeParse(o.claims);
  if (!parsed.success) {
    throw refuse("Le fournisseur d'identité n'a pas transmis d'adresse e-mail : connexion impossible.");
  }
  const claims = parsed.data;
  let email: string;
  try {
    email = checkEmail(claims.email);
  } catch {
    throw refuse("L'adresse e-mail transmise par le fournisseur d'identité est invalide.");
  }
  const accounts = o.store.accounts;
  const existing = await accounts.users.getByEmail(email);
  if (existing) {
    const org = await accounts.orgs.get(existing.orgId);
    if (!org) throw refuse('Votre organisation n’existe plus : contactez un administrateur.');
    return { user: existing, organisation: org, created: false };
  }

  const domain = email.slice(email.lastIndexOf('@') + 1);
  const siret = claims.siret?.replace(/\s/g, '') || null;
  const orgs = await accounts.orgs.list();
  const bySiret = siret ? orgs.filter((org) => org.siret === siret) : [];
  const candidates = (bySiret.length > 0 ? bySiret : orgs).filter((org) => org.emailDomains.includes(domain));
  if (candidates.length === 0) {
    throw refuse(
      bySiret.length > 0
        ? `Le domaine « ${domain} » n'est pas autorisé pour l'organisation ${bySiret[0].name}.`
        : `Aucune organisation n'accepte les adresses du domaine « ${domain} » : demandez à un administrateur de vous ajouter.`,
    );
  }
  if (candidates.length > 1) {
    throw refuse(
      `Plusieurs organisations acceptent le domaine « ${domain} » : demandez à un administrateur de vous ajouter à la bonne.`,
    );
  }
  const org = candidates[0];
  if (!org.allowSelfSignup) {
    throw refuse(
      `L'organisation ${org.name} n'autorise pas l'inscription automatique : demandez à un administrateur de vous ajouter.`,
    );
  }
  try {
    const user = await accounts.users.create({
      email,
      name: displayName(claims, email),
      orgId: org.id,
      role: 'agent',
    });
    return { user, organisation: org, created: true };
  } catch (e) {
    // Two first sign-ins at once: the other one created the user.
    const raced =
      e instanceof AppError && e.code === 'conflict' ? await accounts.users.getByEmail(email) : null;
    if (raced) return { user: raced, organisation: org, created: false };
    throw e;
  }
}
