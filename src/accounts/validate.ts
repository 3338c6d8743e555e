import { AppError } from '../shared/errors.js';
import { isRole, type Role } from './model.js';

const EMAIL = /^[^\s@]+@([a-z0-9-]+\.)+[a-z]{2,}$/i;
const DOMAIN = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;

export function checkEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!EMAIL.test(e) || e.length > 254)
    throw new AppError('invalid_request', `Adresse e-mail invalide : « ${email} ».`, { param: 'email' });
  return e;
}

export function checkRole(role: unknown, param = 'role'): Role {
  if (!isRole(role)) {
    throw new AppError(
      'invalid_request',
      `Rôle inconnu : « ${String(role)} » (agent, developer, dpo, admin ou superadmin).`,
      { param },
    );
  }
  return role;
}

export function checkSiret(siret: string | null | undefined): string | null {
  if (siret === null || siret === undefined || siret === '') return null;
  const s = siret.replace(/\s/g, '');
  if (!/^\d{14}$/.test(s))
    throw new AppError('invalid_request', `SIRET invalide : « ${siret} » (14 chiffres attendus).`, {
      param: 'siret',
    });
  return s;
}

export function checkDomains(domains: string[] | undefined): string[] {
  return [...new Set((domains ?? []).map((d) => d.trim().toLowerCase()).filter(Boolean))].map((d) => {
    if (!DOMAIN.test(d))
      throw new AppError('invalid_request', `Domaine de messagerie invalide : « ${d} ».`, {
        param: 'email_domains',
      });
    return d;
  });
}

export function checkName(name: string, param = 'name'): string {
  const n = name.trim();
  if (n.length === 0 || n.length > 200)
    throw new AppError('invalid_request', 'Nom vide ou trop long (200 caractères au plus).', { param });
  return n;
}
