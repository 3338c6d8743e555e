import type { Command } from 'commander';
import { addUser } from '../../accounts/add-user.js';
import { withServices } from '../context.js';

export function registerUsers(program: Command): void {
  const users = program.command('users').description('Gérer les personnes des organisations');
  users
    .command('add')
    .description('Ajouter une personne à une organisation')
    .requiredOption('--org <id>', 'organisation')
    .requiredOption('--email <adresse>', 'adresse e-mail')
    .option('--name <nom>', 'nom affiché')
    .option('--role <rôle>', 'agent, developer, admin ou superadmin', 'agent')
    .action(async (o: { org: string; email: string; name?: string; role: string }) => {
      await withServices(async ({ store }) => {
        const user = await addUser({ store, orgId: o.org, email: o.email, name: o.name, role: o.role });
        process.stdout.write(`Personne ajoutée : ${user.id} ${user.email} (${user.role}, ${user.orgId})\n`);
      });
    });
  users
    .command('list')
    .description("Lister les personnes d'une organisation")
    .requiredOption('--org <id>', 'organisation')
    .action(async (o: { org: string }) => {
      await withServices(async ({ store }) => {
        for (const u of await store.accounts.users.list(o.org))
          process.stdout.write(`${u.id}\t${u.email}\t${u.role}\t${u.name}\n`);
      });
    });
}
