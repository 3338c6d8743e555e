import type { Command } from 'commander';
import type { PublicationHit } from '../../usecases/search-knowledge.js';
import { assertReadableCollections, defaultCollectionsFor } from '../../usecases/visible-collections.js';
import { AppError } from '../../shared/errors.js';
import { withServices } from '../context.js';

export function parseK(value: string): number {
  const k = Number(value);
  if (!Number.isInteger(k) || k < 1 || k > 50) {
    throw new AppError('invalid_request', `--k doit être un entier entre 1 et 50 (reçu « ${value} »).`);
  }
  return k;
}

function formatHits(hits: PublicationHit[]): string {
  if (hits.length === 0) return 'Aucune source trouvée pour cette question.';
  return hits
    .map((h, i) => {
      const passage = h.passages[0]?.text.replace(/\s+/g, ' ').slice(0, 220) ?? '';
      return `${i + 1}. ${h.title} (${h.externalId}) — score ${h.score.toFixed(2)}\n   ${h.url ?? `document local, collection ${h.collectionId} (id ${h.id})`}\n   ${passage}`;
    })
    .join('\n');
}

export function registerSearch(program: Command): void {
  program
    .command('search')
    .description('Rechercher dans les connaissances indexées')
    .argument('<question>', 'la question, en français')
    .option('--k <n>', 'nombre de publications', '10')
    .option('--org <id>', 'organisation dont les collections sont interrogées', 'default')
    .option('--collection <id...>', 'collections à interroger (défaut : national + celles de l’organisation)')
    .option('--json', 'sortie JSON')
    .action(
      async (question: string, opts: { k: string; org: string; json?: boolean; collection?: string[] }) => {
        const k = parseK(opts.k);
        await withServices(async (services) => {
          if (opts.collection) await assertReadableCollections(services.store, opts.collection, opts.org);
          const hits = await services.retriever.search({
            query: question,
            k,
            collectionIds: opts.collection ?? (await defaultCollectionsFor(services.store, opts.org)),
            privacy: await services.privacy.forOrg(opts.org),
          });
          process.stdout.write(
            (opts.json ? JSON.stringify({ query: question, results: hits }) : formatHits(hits)) + '\n',
          );
        });
      },
    );
}
