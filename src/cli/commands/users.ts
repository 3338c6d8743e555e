import type { Command } from 'commander';
import { addUser } from '../../accounts/add-user.js';
import { moveUser } from '../../accounts/move-user.js';
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
    .command('move')
    .description(
      "Changer une personne d'organisation : ses clés sont révoquées et ses sessions fermées (action de l'opérateur)",
    )
    .argument('<personne>', 'identifiant (usr_…) ou adresse e-mail')
    .requiredOption('--org <id>', "organisation d'arrivée")
    .option('--role <rôle>', 'nouveau rôle (par défaut : inchangé)')
    .action(async (user: string, o: { org: string; role?: string }) => {
      await withServices(async ({ store }) => {
        const m = await moveUser({ store, user, orgId: o.org, role: o.role });
        process.stdout.write(
          `Personne déplacée : ${m.email} de ${m.fromOrgId} vers ${m.orgId} (${m.role}) ; ${m.revokedKeys} clé(s) révoquée(s), ${m.endedSessions} session(s) fermée(s).
`,
        );
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
