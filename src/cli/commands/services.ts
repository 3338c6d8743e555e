import type { Command } from 'commander';
import { findService, pilotDay, serviceName } from '../../usecases/manage-services.js';
import { pilotCsv, pilotReport } from '../../usecases/pilot-report.js';
import { withServices } from '../context.js';

export function registerServices(program: Command): void {
  const services = program
    .command('services')
    .description("Gérer les services d'une organisation (accueil, service juridique…) et leur mode pilote");
  services
    .command('list')
    .description("Lister les services d'une organisation")
    .requiredOption('--org <id>', 'organisation')
    .action(async (o: { org: string }) => {
      await withServices(async ({ store }) => {
        const since = await store.accounts.services.orgPilot(o.org);
        if (since) process.stdout.write(`Organisation en mode pilote depuis le ${since}\n`);
        const people = await store.accounts.users.list(o.org);
        for (const s of await store.accounts.services.list(o.org)) {
          const n = people.filter((u) => u.serviceId === s.id).length;
          const pilot = s.pilotSince ? `\tpilote depuis le ${s.pilotSince}` : '';
          process.stdout.write(`${s.id}\t${s.name}\t${n} personne(s)${pilot}\n`);
        }
      });
    });
  services
    .command('add')
    .description('Créer un service')
    .requiredOption('--org <id>', 'organisation')
    .requiredOption('--name <nom>', 'nom du service')
    .option('--pilot-since <AAAA-MM-JJ>', 'en mode pilote depuis ce jour')
    .action(async (o: { org: string; name: string; pilotSince?: string }) => {
      await withServices(async ({ store }) => {
        const s = await store.accounts.services.create({
          orgId: o.org,
          name: serviceName(o.name),
          pilotSince: pilotDay(o.pilotSince),
        });
        process.stdout.write(`Service créé : ${s.id} (${s.name})\n`);
      });
    });
  services
    .command('rename')
    .description('Renommer un service')
    .argument('<service>', 'identifiant ou nom du service')
    .requiredOption('--org <id>', 'organisation')
    .requiredOption('--name <nom>', 'nouveau nom')
    .action(async (service: string, o: { org: string; name: string }) => {
      await withServices(async ({ store }) => {
        const s = await findService(store, o.org, service);
        await store.accounts.services.update(s.id, { name: serviceName(o.name) });
        process.stdout.write(`Service renommé : ${s.id} (${serviceName(o.name)})\n`);
      });
    });
  services
    .command('delete')
    .description('Supprimer un service (ses personnes ne sont plus rattachées à aucun)')
    .argument('<service>', 'identifiant ou nom du service')
    .requiredOption('--org <id>', 'organisation')
    .action(async (service: string, o: { org: string }) => {
      await withServices(async ({ store }) => {
        const s = await findService(store, o.org, service);
        await store.accounts.services.delete(s.id);
        process.stdout.write(`Service supprimé : ${s.id} (${s.name})\n`);
      });
    });
  services
    .command('pilot')
    .description("Mettre l'organisation, ou un de ses services, en mode pilote (ou l'en sortir)")
    .requiredOption('--org <id>', 'organisation')
    .option('--service <service>', 'identifiant ou nom du service (défaut : toute l’organisation)')
    .option('--since <AAAA-MM-JJ>', 'début du pilote (défaut : aujourd’hui)')
    .option('--stop', 'sortir du mode pilote')
    .action(async (o: { org: string; service?: string; since?: string; stop?: boolean }) => {
      await withServices(async ({ store }) => {
        const since = o.stop ? null : (pilotDay(o.since) ?? new Date().toISOString().slice(0, 10));
        if (o.service) {
          const s = await findService(store, o.org, o.service);
          await store.accounts.services.update(s.id, { pilotSince: since });
        } else await store.accounts.services.setOrgPilot(o.org, since);
        const who = o.service ? `Service ${o.service}` : `Organisation ${o.org}`;
        process.stdout.write(
          since ? `${who} en mode pilote depuis le ${since}\n` : `${who} sorti du mode pilote\n`,
        );
      });
    });
  services
    .command('pilot-export')
    .description('Exporter en CSV les chiffres du pilote, par semaine')
    .requiredOption('--org <id>', 'organisation')
    .option('--service <service>', 'identifiant ou nom du service')
    .option('--from <AAAA-MM-JJ>', 'premier jour (défaut : début du pilote)')
    .option('--to <AAAA-MM-JJ>', 'dernier jour (défaut : aujourd’hui)')
    .action(async (o: { org: string; service?: string; from?: string; to?: string }) => {
      await withServices(async ({ store, config }) => {
        const service = o.service ? await findService(store, o.org, o.service) : null;
        const report = await pilotReport({
          store,
          orgId: o.org,
          from: o.from,
          to: o.to,
          serviceId: service?.id,
          staleAfterMonths: config.knowledge.stale_after_months,
        });
        process.stdout.write(pilotCsv(report));
      });
    });
}
