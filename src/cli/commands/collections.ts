import type { Command } from 'commander';
import { AppError } from '../../shared/errors.js';
import {
  createCollection,
  deleteCollection,
  listCollections,
  type OrgVisibility,
} from '../../usecases/manage-collections.js';
import { withServices } from '../context.js';

export const DEFAULT_CLI_ORG = 'default';

function parseVisibility(v: string): OrgVisibility {
  if (v !== 'private' && v !== 'shared') {
    throw new AppError(
      'invalid_request',
      `--visibility doit valoir « private » ou « shared » (reçu « ${v} »).`,
    );
  }
  return v;
}

export function registerCollections(program: Command): void {
  const cmd = program
    .command('collections')
    .description("Gérer les collections de documents d'une organisation");
  cmd
    .command('create')
    .description('Créer une collection')
    .requiredOption('--name <nom>', 'nom de la collection')
    .option('--description <texte>', 'description', '')
    .option('--visibility <private|shared>', 'private (votre organisation) ou shared (toutes)', 'private')
    .option('--org <id>', 'organisation propriétaire', DEFAULT_CLI_ORG)
    .option('--json', 'sortie JSON')
    .action(
      async (o: { name: string; description: string; visibility: string; org: string; json?: boolean }) => {
        const visibility = parseVisibility(o.visibility);
        await withServices(async ({ store }) => {
          const c = await createCollection({
            store,
            orgId: o.org,
            name: o.name,
            description: o.description,
            visibility,
          });
          process.stdout.write(
            o.json ? `${JSON.stringify(c)}\n` : `Collection créée : ${c.id} (${c.name})\n`,
          );
        });
      },
    );
  cmd
    .command('list')
    .description("Lister les collections lisibles par l'organisation")
    .option('--org <id>', 'organisation', DEFAULT_CLI_ORG)
    .option('--json', 'sortie JSON')
    .action(async (o: { org: string; json?: boolean }) => {
      await withServices(async ({ store }) => {
        const all = await listCollections({ store, orgId: o.org });
        if (o.json) return void process.stdout.write(`${JSON.stringify(all)}\n`);
        for (const c of all) {
          const access = c.builtin
            ? 'nationale, lecture seule'
            : c.writable
              ? c.visibility
              : `${c.visibility}, de ${c.orgId}`;
          process.stdout.write(`${c.id}\t${c.name}\t${c.documentCount} documents\t(${access})\n`);
        }
      });
    });
  cmd
    .command('delete')
    .description('Supprimer une collection avec tous ses documents')
    .argument('<id>', 'identifiant de la collection')
    .option('--org <id>', 'organisation', DEFAULT_CLI_ORG)
    .action(async (id: string, o: { org: string }) => {
      await withServices(async ({ store }) => {
        const c = await deleteCollection({ store, orgId: o.org, id });
        process.stdout.write(`Collection supprimée : ${c.id} (${c.name})\n`);
      });
    });
}
