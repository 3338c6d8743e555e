import type { Command } from 'commander';
import { addUser } from '../../accounts/add-user.js';
import { AppError } from '../../shared/errors.js';
import { findService, setUserService } from '../../usecases/manage-services.js';
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
    .option('--service <service>', 'identifiant ou nom de son service')
    .action(async (o: { org: string; email: string; name?: string; role: string; service?: string }) => {
      await withServices(async ({ store }) => {
        const service = o.service ? await findService(store, o.org, o.service) : null;
        let user = await addUser({ store, orgId: o.org, email: o.email, name: o.name, role: o.role });
        if (service) user = await setUserService(store, o.org, user.id, service.id);
        const where = service ? `, service ${service.name}` : '';
        process.stdout.write(
          `Personne ajoutée : ${user.id} ${user.email} (${user.role}, ${user.orgId}${where})\n`,
        );
      });
    });
  users
    .command('set-service')
    .description('Rattacher une personne à un service de son organisation (sans --service : à aucun)')
    .requiredOption('--org <id>', 'organisation')
    .requiredOption('--email <adresse>', 'adresse e-mail de la personne')
    .option('--service <service>', 'identifiant ou nom du service')
    .action(async (o: { org: string; email: string; service?: string }) => {
      await withServices(async ({ store }) => {
        const user = await store.accounts.users.getByEmail(o.email);
        if (!user || user.orgId !== o.org)
          throw new AppError('not_found', `Personne introuvable : ${o.email}`);
        const service = o.service ? await findService(store, o.org, o.service) : null;
        await setUserService(store, o.org, user.id, service?.id ?? null);
        process.stdout.write(
          service
            ? `${user.email} rattachée au service ${service.name}\n`
            : `${user.email} rattachée à aucun service\n`,
        );
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
        const names = new Map((await store.accounts.services.list(o.org)).map((s) => [s.id, s.name]));
        for (const u of await store.accounts.users.list(o.org)) {
          const service = u.serviceId ? `\t${names.get(u.serviceId) ?? u.serviceId}` : '';
          process.stdout.write(`${u.id}\t${u.email}\t${u.role}\t${u.name}${service}\n`);
        }
      });
    });
}
