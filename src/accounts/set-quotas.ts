import type { Store } from '../store/spec.js';
import { AppError } from '../shared/errors.js';
import type { QuotaLimits, QuotaScope } from './model.js';

const FIELDS: (keyof QuotaLimits)[] = [
  'requestsPerMinute',
  'requestsPerDay',
  'tokensPerMinute',
  'tokensPerDay',
  'monthlyCredits',
];

/** Sets the limits of an organisation or of one of its keys (foreign key id: 404). */
export async function setQuotas(o: {
  store: Store;
  orgId: string;
  keyId?: string;
  limits: QuotaLimits;
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
  return {
    scope: 'org',
    subjectId: o.orgId,
    limits: await o.store.accounts.quotas.set('org', o.orgId, o.limits),
  };
}
