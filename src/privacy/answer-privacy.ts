import { accountsGeneration, lookupCache } from '../accounts/lookup-cache.js';
import type { Organisation } from '../accounts/model.js';
import type { Config } from '../config/schema.js';
import type { Sovereignty } from '../models/config.js';
import { providerFacts } from '../models/provider-registry.js';
import type { ModelRef, ModelRouter } from '../models/router.js';
import { AppError } from '../shared/errors.js';
import type { Store } from '../store/spec.js';

/** The privacy policy of one answer: pseudonymisation before non-local targets, allowed targets. */
export interface AnswerPrivacy {
  /** Pseudonymise before any non-local target (default true). */
  pseudonymise: boolean;
  /** Sensitive organisation: only local or SecNumCloud targets; others are refused. */
  allowTarget?: (ref: ModelRef) => boolean;
}

export function isSecNumCloud(s: Sovereignty | undefined): boolean {
  return !!s?.certifications.some((c) => c.toLowerCase().replace(/[\s_-]/g, '') === 'secnumcloud');
}

/** Sovereignty declared for a provider id (undefined for built-in or undeclared). */
export function providerSovereignty(config: Config, provider: string): Sovereignty | undefined {
  const p = config.providers.find((x) => x.id === provider);
  return p ? providerFacts(p).sovereignty : undefined;
}

/** How long an organisation's record is kept in memory (its `sensitive` flag is set at creation). */
export const ORG_CACHE_MS = 2_000;

/** The policy of an organisation: configuration, its override, and its `sensitive` flag. */
export async function answerPrivacyFor(o: {
  store: Store;
  config: Config;
  orgId: string;
}): Promise<AnswerPrivacy> {
  const override = o.config.privacy.organisations[o.orgId]?.pseudonymise;
  const cache = lookupCache<Organisation>(o.store, 'orgs', ORG_CACHE_MS);
  let org = cache.get(o.orgId) ?? null;
  if (!org) {
    const readAt = accountsGeneration();
    org = await o.store.accounts.orgs.get(o.orgId).catch(() => null);
    if (org) cache.set(o.orgId, org, readAt);
  }
  return {
    pseudonymise: override ?? o.config.privacy.pseudonymise,
    ...(org?.sensitive
      ? {
          allowTarget: (ref: ModelRef) =>
            ref.local || isSecNumCloud(providerSovereignty(o.config, ref.provider)),
        }
      : {}),
  };
}

/**
 * The one rule for text leaving the premises: pseudonymised when the policy asks it and the target
 * is not local. Answers, the embedding model and the data-flow report all apply this function.
 */
export function pseudonymisedFor(privacy: Pick<AnswerPrivacy, 'pseudonymise'>, local: boolean): boolean {
  return privacy.pseudonymise && !local;
}

/** The `pseudonymise` policies the configuration can give: the default, then each override. */
export function configuredPseudonymisation(config: Config): Array<Pick<AnswerPrivacy, 'pseudonymise'>> {
  return [
    { pseudonymise: config.privacy.pseudonymise },
    ...Object.values(config.privacy.organisations).map((o) => ({ pseudonymise: o.pseudonymise })),
  ];
}

/** Where every use case that can send text out gets its policy: resolved in one place. */
export interface PrivacyPolicies {
  /** The resolved policy of an organisation (configuration, its override, its `sensitive` flag). */
  forOrg(orgId: string): Promise<AnswerPrivacy>;
}

export function privacyPolicies(store: Store, config: Config): PrivacyPolicies {
  return { forOrg: (orgId) => answerPrivacyFor({ store, config, orgId }) };
}

/**
 * The model to route: the requested one when every target is allowed; else its first allowed
 * target; none allowed → 403 with the reason.
 */
export function routableModel(
  router: ModelRouter,
  model: string,
  privacy: AnswerPrivacy,
  kind: 'chat' | 'embedding' = 'chat',
): string {
  if (!privacy.allowTarget) return model;
  const targets = router.resolve(model, kind);
  const allowed = targets.filter(privacy.allowTarget);
  if (allowed.length === targets.length) return model;
  if (allowed.length > 0) return allowed[0].key;
  throw new AppError(
    'forbidden',
    `Organisation sensible : le modèle « ${model} » n'est servi que par des fournisseurs ni locaux ni qualifiés SecNumCloud ` +
      `(${targets.map((t) => t.provider).join(', ')}). Requête refusée : choisissez un modèle local ou SecNumCloud.`,
  );
}

/** True when some target of the model runs outside the authority's servers. */
export function leavesPremises(router: ModelRouter, model: string): boolean {
  return !router.isLocal(model);
}
