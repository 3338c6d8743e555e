import type { Store } from '../store/spec.js';
import { AppError } from '../shared/errors.js';
import type { QuotaLimits, QuotaScope, Role } from './model.js';

const FIELDS: (keyof QuotaLimits)[] = [
  'requestsPerMinute',
  'requestsPerDay',
  'tokensPerMinute',
  'tokensPerDay',
  'monthlyCredits',
];

const LABELS: Record<keyof QuotaLimits, string> = {
  requestsPerMinute: 'requests_per_minute',
  requestsPerDay: 'requests_per_day',
  tokensPerMinute: 'tokens_per_minute',
  tokensPerDay: 'tokens_per_day',
  monthlyCredits: 'monthly_credits',
};

/**
 * Sets the limits of an organisation or of one of its keys (foreign key id: 404).
 *
 * Limits a superadmin (or the CLI, an operator of the instance) sets on an organisation are also
 * its ceiling: the organisation's own admins may then set tighter limits, never looser ones nor
 * none (403). A superadmin clearing them removes the ceiling too.
 */
export async function setQuotas(o: {
  store: Store;
  orgId: string;
  keyId?: string;
  limits: QuotaLimits;
  /** Who sets them (absent: the CLI). */
  actorRole?: Role;
}): Promise<{ scope: QuotaScope; subjectId: string; limits: QuotaLimits }> {
  for (const f of FIELDS) {
    const v = o.limits[f];
    if (v !== null && !(Number.isInteger(v) && v >= 0)) {
      throw new AppError('invalid_request', `Quota invalide (${f}) : un entier positif ou nul est attendu.`, {
        param: f,
      });
    }
  }
  if (o.keyId) {
    const key = await o.store.accounts.keys.get(o.keyId);
    if (!key || key.orgId !== o.orgId) throw new AppError('not_found', `Clé introuvable : ${o.keyId}`);
    return {
      scope: 'key',
      subjectId: key.id,
      limits: await o.store.accounts.quotas.set('key', key.id, o.limits),
    };
  }
  const operator = o.actorRole === undefined || o.actorRole === 'superadmin';
  if (operator) {
    await o.store.accounts.quotas.set('ceiling', o.orgId, o.limits);
  } else {
    const ceiling = await o.store.accounts.quotas.get('ceiling', o.orgId);
    for (const f of FIELDS) {
      const max = ceiling?.[f] ?? null;
      const v = o.limits[f];
      if (max !== null && (v === null || v > max)) {
        throw new AppError(
          'forbidden',
          `Le quota ${LABELS[f]} de l'organisation a été fixé à ${max} par un superadministrateur : vous pouvez le resserrer, pas le relâcher ni le supprimer.`,
          { param: LABELS[f] },
        );
      }
    }
  }
  return {
    scope: 'org',
    subjectId: o.orgId,
    limits: await o.store.accounts.quotas.set('org', o.orgId, o.limits),
  };
}
