import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative as relativePath, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import type { Services } from '../../services.js';
import { AppError, isAppError } from '../../shared/errors.js';
import {
  documentEmbedder,
  ingestDocument,
  parsePool,
  type IngestStatus,
} from '../../usecases/ingest-document.js';
import { deleteDocument, listDocuments } from '../../usecases/manage-documents.js';
import { getWritableCollection } from '../../usecases/manage-collections.js';
import { withServices } from '../context.js';
import { createProgress } from '../progress.js';
import { DEFAULT_CLI_ORG } from './collections.js';

export interface AddOutcome {
  path: string;
  status: IngestStatus | 'failed';
  documentId?: string;
  /** French reason of a failure. */
  reason?: string;
}

/** Files named on the command line, folders walked recursively (hidden entries skipped), sorted. */
export function collectFiles(paths: string[]): {
  files: string[];
  missing: AddOutcome[];
  /** A file found in a sub-folder of a given folder → its path from that folder (`2024/tarifs.md`). */
  relative: Map<string, string>;
} {
  const files: string[] = [];
  const missing: AddOutcome[] = [];
  const relative = new Map<string, string>();
  const walk = (p: string, root: string) => {
    for (const name of readdirSync(p).sort()) {
      if (name.startsWith('.')) continue;
      const full = join(p, name);
      const st = statSync(full, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(full, root);
      else if (st?.isFile()) {
        files.push(full);
        if (p !== root) relative.set(full, relativePath(root, full).split(sep).join('/'));
      }
    }
  };
  for (const raw of paths) {
    const p = resolve(raw);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) missing.push({ path: raw, status: 'failed', reason: 'fichier ou dossier introuvable' });
    else if (st.isDirectory()) walk(p, p);
    else files.push(p);
  }
  return { files: [...new Set(files)], missing, relative };
}

/** Adds files and folders to a collection, one outcome per file; a failure never stops the others. */
export async function addDocuments(
  services: Services,
  o: {
    orgId: string;
    collectionId: string;
    paths: string[];
    onProgress?: (done: number, total: number) => void;
  },
): Promise<AddOutcome[]> {
  // An unknown or read-only collection fails the whole command at once, not file by file.
  await getWritableCollection({ store: services.store, orgId: o.orgId, id: o.collectionId });
  const { files, missing, relative } = collectFiles(o.paths);
  const pool = parsePool(services.config.documents);
  const embed = await documentEmbedder(services, o.orgId);
  const maxBytes = services.config.documents.max_upload_bytes;
  const outcomes: AddOutcome[] = [...missing];
  for (const [i, path] of files.entries()) {
    o.onProgress?.(i, files.length);
    try {
      const size = statSync(path).size;
      if (size > maxBytes) {
        throw new AppError(
          'payload_too_large',
          `dépasse la taille maximale acceptée (${Math.ceil(maxBytes / 1024 / 1024)} Mo)`,
        );
      }
      const r = await ingestDocument({
        store: services.store,
        orgId: o.orgId,
        collectionId: o.collectionId,
        fileName: basename(path),
        relativePath: relative.get(path),
        bytes: readFileSync(path),
        pool,
        maxBytes,
        chunkTokens: services.config.search.chunk_tokens,
        embed,
      });
      outcomes.push({ path, status: r.status, documentId: r.document.id });
    } catch (e) {
      outcomes.push({
        path,
        status: 'failed',
        reason: isAppError(e) ? e.message : `erreur inattendue : ${(e as Error)?.message ?? e}`,
      });
    }
  }
  o.onProgress?.(files.length, files.length);
  return outcomes;
}

export function formatAddSummary(outcomes: AddOutcome[], seconds: number): string {
  const n = (s: AddOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  const lines = [
    `${outcomes.length} fichiers traités en ${seconds.toFixed(1)} s : ${n('added')} ajoutés, ${n('replaced')} remplacés (nouvelle version), ` +
      `${n('duplicate')} ignorés (déjà présents), ${n('failed')} en échec.`,
  ];
  for (const o of outcomes.filter((x) => x.status === 'failed')) lines.push(`  - ${o.path} : ${o.reason}`);
  return lines.join('\n');
}

export function registerDocuments(program: Command): void {
  const cmd = program
    .command('documents')
    .description("Gérer les documents des collections d'une organisation");
  cmd
    .command('add')
    .description('Ajouter des fichiers (ou des dossiers, parcourus récursivement) à une collection')
    .requiredOption('--collection <id>', 'collection de destination')
    .option('--org <id>', 'organisation', DEFAULT_CLI_ORG)
    .option('--json', 'sortie JSON')
    .argument('<chemins...>', 'fichiers ou dossiers')
    .action(async (paths: string[], o: { collection: string; org: string; json?: boolean }) => {
      await withServices(async (services) => {
        const started = Date.now();
        const progress = createProgress('Ajout des documents');
        let outcomes: AddOutcome[];
        try {
          outcomes = await addDocuments(services, {
            orgId: o.org,
            collectionId: o.collection,
            paths,
            onProgress: (done, total) => progress.update(done, total),
          });
        } finally {
          progress.stop();
        }
        const seconds = (Date.now() - started) / 1000;
        process.stdout.write(
          (o.json ? JSON.stringify({ seconds, outcomes }) : formatAddSummary(outcomes, seconds)) + '\n',
        );
        if (outcomes.some((x) => x.status === 'failed')) process.exitCode = 1;
      });
    });
  cmd
    .command('list')
    .description("Lister les documents d'une collection")
    .requiredOption('--collection <id>', 'collection')
    .option('--org <id>', 'organisation', DEFAULT_CLI_ORG)
    .option('--json', 'sortie JSON')
    .action(async (o: { collection: string; org: string; json?: boolean }) => {
      await withServices(async ({ store }) => {
        const r = await listDocuments({ store, orgId: o.org, collectionId: o.collection, limit: 1000 });
        if (o.json) return void process.stdout.write(`${JSON.stringify(r)}\n`);
        for (const d of r.documents)
          process.stdout.write(`${d.id}\t${d.externalId}\t${d.chunkCount} passages\t${d.updatedAt}\n`);
        process.stdout.write(`${r.total} documents\n`);
      });
    });
  cmd
    .command('remove')
    .description('Retirer un document (et ses passages de toutes les recherches)')
    .argument('<id>', 'identifiant du document')
    .option('--org <id>', 'organisation', DEFAULT_CLI_ORG)
    .action(async (id: string, o: { org: string }) => {
      await withServices(async ({ store }) => {
        const d = await deleteDocument({ store, orgId: o.org, id });
        process.stdout.write(`Document retiré : ${d.id} (${d.externalId})\n`);
      });
    });
}
