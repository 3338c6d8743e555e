import type { Command } from 'commander';
import { createOrganisation } from '../../accounts/create-organisation.js';
import { withServices } from '../context.js';

export function registerOrgs(program: Command): void {
  const orgs = program.command('orgs').description('Gérer les organisations');
  orgs
    .command('create')
    .description('Créer une organisation')
    .requiredOption('--name <nom>', "nom de l'organisation")
    .option('--id <id>', 'identifiant (défaut : généré)')
    .option('--siret <siret>', 'SIRET (14 chiffres)')
    .option('--domains <liste>', 'domaines de messagerie autorisés, séparés par des virgules (a.fr,b.fr)')
    .option('--sensitive', 'organisation traitant des données sensibles')
    .option('--self-signup', 'la première connexion crée le compte (rôle agent)')
    .action(
      async (o: {
        name: string;
        id?: string;
        siret?: string;
        domains?: string;
        sensitive?: boolean;
        selfSignup?: boolean;
      }) => {
        await withServices(async ({ store }) => {
          const org = await createOrganisation({
            store,
            id: o.id,
            name: o.name,
            siret: o.siret,
            emailDomains: o.domains?.split(','),
            sensitive: o.sensitive,
            allowSelfSignup: o.selfSignup,
          });
          process.stdout.write(`Organisation créée : ${org.id} (${org.name})\n`);
        });
      },
    );
  orgs
    .command('list')
    .description('Lister les organisations')
    .action(async () => {
      await withServices(async ({ store }) => {
        for (const org of await store.accounts.orgs.list()) {
          const extra = [
            org.siret && `SIRET ${org.siret}`,
            org.emailDomains.length > 0 && org.emailDomains.join(','),
          ].filter(Boolean);
          process.stdout.write(`${org.id}\t${org.name}${extra.length ? `\t${extra.join('\t')}` : ''}\n`);
        }
      });
    });
}
