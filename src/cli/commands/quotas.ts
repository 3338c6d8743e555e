import type { Command } from 'commander';
import { limitsFromConfig } from '../../accounts/enforce-quota.js';
import type { QuotaLimits } from '../../accounts/model.js';
import { setQuotas } from '../../accounts/set-quotas.js';
import { AppError } from '../../shared/errors.js';
import type { Store } from '../../store/spec.js';
import { withServices } from '../context.js';

/** Each limit: its flag, its field, its French label. */
const LIMITS: [flag: string, field: keyof QuotaLimits, label: string][] = [
  ['requests-per-minute', 'requestsPerMinute', 'requêtes par minute'],
  ['requests-per-day', 'requestsPerDay', 'requêtes par jour'],
  ['tokens-per-minute', 'tokensPerMinute', 'jetons par minute'],
  ['tokens-per-day', 'tokensPerDay', 'jetons par jour'],
  ['monthly-credits', 'monthlyCredits', 'crédits par mois'],
];

const camel = (flag: string) => flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** A limit typed on the command line: a non-negative integer, or `aucune` (no limit). */
function parseLimit(flag: string, value: string): number | null {
  const v = value.trim().toLowerCase();
  if (['aucune', 'aucun', 'none', 'illimité', 'illimite'].includes(v)) return null;
  if (!/^\d+$/.test(v))
    throw new AppError(
      'invalid_request',
      `--${flag} : un entier positif ou nul est attendu, ou « aucune » (sans limite) ; reçu « ${value} ».`,
    );
  return Number(v);
}

async function checkOrg(store: Store, orgId: string): Promise<void> {
  if (!(await store.accounts.orgs.get(orgId)))
    throw new AppError('not_found', `Organisation introuvable : ${orgId}`);
}

const show = (l: QuotaLimits) =>
  LIMITS.map(([, field, label]) => `${label} : ${l[field] === null ? 'sans limite' : l[field]}`).join(', ');

/**
 * `guichet quotas show|set|clear`: reads and repairs an organisation's or a key's limits without the
 * web UI (e.g. when a limit set too low keeps people out).
 */
export function registerQuotas(program: Command): void {
  const quotas = program.command('quotas').description('Lire et modifier les quotas (organisation ou clé)');
  quotas
    .command('show')
    .description('Afficher les quotas en vigueur')
    .requiredOption('--org <id>', 'organisation')
    .option('--key <id>', 'clé de l’organisation (key_…)')
    .action(async (o: { org: string; key?: string }) => {
      await withServices(async ({ store, config }) => {
        await checkOrg(store, o.org);
        const scope = o.key ? 'key' : 'org';
        const stored = await store.accounts.quotas.get(scope, o.key ?? o.org);
        const limits = stored ?? limitsFromConfig(config.accounts.quotas[scope]);
        process.stdout.write(
          `${o.key ? `Clé ${o.key}` : `Organisation ${o.org}`} (${stored ? 'fixés' : 'par défaut de la configuration'}) : ${show(limits)}\n`,
        );
      });
    });
  const set = quotas
    .command('set')
    .description('Fixer des quotas (les limites non indiquées restent inchangées)')
    .requiredOption('--org <id>', 'organisation')
    .option('--key <id>', 'clé de l’organisation (key_…) ; sans elle, les quotas de l’organisation');
  for (const [flag, , label] of LIMITS)
    set.option(`--${flag} <n>`, `${label} (entier, ou « aucune » pour ne pas limiter)`);
  set.action(async (o: Record<string, string | undefined>) => {
    const orgId = o.org!;
    const given = LIMITS.filter(([flag]) => o[camel(flag)] !== undefined);
    if (!given.length)
      throw new AppError(
        'invalid_request',
        `Indiquez au moins une limite : ${LIMITS.map(([f]) => `--${f}`).join(', ')}.`,
      );
    await withServices(async ({ store, config }) => {
      await checkOrg(store, orgId);
      const scope = o.key ? 'key' : 'org';
      const current =
        (await store.accounts.quotas.get(scope, o.key ?? orgId)) ??
        limitsFromConfig(config.accounts.quotas[scope]);
      const limits = { ...current };
      for (const [flag, field] of given) limits[field] = parseLimit(flag, o[camel(flag)]!);
      const r = await setQuotas({ store, orgId, keyId: o.key, limits });
      process.stdout.write(
        `Quotas ${r.scope === 'key' ? `de la clé ${r.subjectId}` : `de l’organisation ${r.subjectId}`} enregistrés : ${show(r.limits)}\n`,
      );
    });
  });
  quotas
    .command('clear')
    .description('Effacer les quotas fixés : les valeurs par défaut de la configuration s’appliquent')
    .requiredOption('--org <id>', 'organisation')
    .option('--key <id>', 'clé de l’organisation (key_…)')
    .action(async (o: { org: string; key?: string }) => {
      await withServices(async ({ store, config }) => {
        await checkOrg(store, o.org);
        if (o.key) {
          const key = await store.accounts.keys.get(o.key);
          if (!key || key.orgId !== o.org) throw new AppError('not_found', `Clé introuvable : ${o.key}`);
        }
        const scope = o.key ? 'key' : 'org';
        const removed = await store.accounts.quotas.remove(scope, o.key ?? o.org);
        const defaults = show(limitsFromConfig(config.accounts.quotas[scope]));
        process.stdout.write(
          removed
            ? `Quotas fixés effacés ; valeurs par défaut de la configuration : ${defaults}\n`
            : `Aucun quota fixé ; valeurs par défaut de la configuration : ${defaults}\n`,
        );
      });
    });
}
