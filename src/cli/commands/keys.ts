import type { Command } from 'commander';
import { createApiKey, parseExpiry, revokeApiKey } from '../../accounts/create-api-key.js';
import { withServices } from '../context.js';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description("Gérer les clés d'API");
  keys
    .command('create')
    .description("Créer une clé d'API (affichée une seule fois)")
    .requiredOption('--org <id>', 'organisation')
    .option('--role <rôle>', 'agent, developer, admin ou superadmin', 'agent')
    .option('--name <nom>', 'nom de la clé')
    .option('--expires <durée>', 'durée de validité : 90d, 12h ou never', 'never')
    .action(async (o: { org: string; role: string; name?: string; expires: string }) => {
      const days = parseExpiry(o.expires);
      await withServices(async ({ store }) => {
        const { key, record } = await createApiKey({
          store,
          orgId: o.org,
          role: o.role,
          name: o.name,
          expiresInDays: days ?? undefined,
        });
        process.stdout.write(`${key}\n`);
        process.stderr.write(
          `Clé ${record.id} (${record.role}, ${record.orgId}${record.expiresAt ? `, expire le ${record.expiresAt}` : ''}) : ` +
            'copiez-la maintenant, elle ne sera plus jamais affichée.\n',
        );
      });
    });
  keys
    .command('list')
    .description('Lister les clés (sans leur secret)')
    .option('--org <id>', 'organisation (défaut : toutes)')
    .action(async (o: { org?: string }) => {
      await withServices(async ({ store }) => {
        for (const k of await store.accounts.keys.list(o.org)) {
          const state = k.revokedAt
            ? 'révoquée'
            : k.expiresAt && Date.parse(k.expiresAt) <= Date.now()
              ? 'expirée'
              : 'active';
          process.stdout.write(
            `${k.id}\tgch_${k.prefix}…\t${k.orgId}\t${k.role}\t${state}\t${k.name}\tdernier usage : ${k.lastUsedAt ?? 'jamais'}\n`,
          );
        }
      });
    });
  keys
    .command('revoke')
    .description('Révoquer une clé')
    .argument('<id>', 'identifiant de la clé (key_…)')
    .action(async (id: string) => {
      await withServices(async ({ store }) => {
        const k = await revokeApiKey({ store, id });
        process.stdout.write(`Clé ${k.id} révoquée le ${k.revokedAt}\n`);
      });
    });
}
