import type { Command } from 'commander';
import { AppError } from '../../shared/errors.js';
import {
  createCollection,
  deleteCollection,
  listCollections,
  type OrgVisibility,
} from '../../usecases/manage-collections.js';
import { documentEmbedder } from '../../usecases/ingest-document.js';
import { formatSyncReport, syncFolder } from '../../usecases/sync-folder.js';
import { withServices } from '../context.js';
import { createProgress } from '../progress.js';

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
  cmd
    .command('sync')
    .description(
      'Synchroniser une collection avec un dossier : fichiers nouveaux et modifiés ajoutés, fichiers disparus retirés',
    )
    .argument('<collection>', 'identifiant de la collection')
    .argument('<dossier>', 'dossier à suivre (partage réseau monté, dossier Nextcloud…)')
    .option('--org <id>', 'organisation', DEFAULT_CLI_ORG)
    .option('--allow-empty', 'accepter un dossier vide (retire tous les documents venus du dossier)')
    .option('--json', 'sortie JSON (le rapport de synchronisation)')
    .action(
      async (
        collection: string,
        folder: string,
        o: { org: string; allowEmpty?: boolean; json?: boolean },
      ) => {
        await withServices(async (services) => {
          const progress = createProgress('Synchronisation');
          let report;
          try {
            report = await syncFolder({
              store: services.store,
              orgId: o.org,
              collectionId: collection,
              folder,
              maxBytes: services.config.documents.max_upload_bytes,
              chunkTokens: services.config.search.chunk_tokens,
              embed: await documentEmbedder(services, o.org),
              allowEmpty: o.allowEmpty,
              onProgress: (done, total) => progress.update(done, total),
            });
          } finally {
            progress.stop();
          }
          process.stdout.write(`${o.json ? JSON.stringify(report) : formatSyncReport(report)}\n`);
          if (report.status !== 'completed' || report.counts.failed > 0) process.exitCode = 1;
        });
      },
    );
}
