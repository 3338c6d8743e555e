import type { Command } from 'commander';
import { ingestServicePublic, type IngestSummary } from '../../usecases/ingest-service-public.js';
import { withServices } from '../context.js';
import { createProgress } from '../progress.js';
import type { Services } from '../../services.js';

export async function runIngestWithProgress(services: Services, source?: string): Promise<IngestSummary> {
  const progress = createProgress('Indexation service-public.fr');
  try {
    return await ingestServicePublic({
      store: services.store,
      source,
      chunkTokens: services.config.search.chunk_tokens,
      onProgress: (p) => progress.update(p.done, p.total),
      onWarning: (m) => services.logger.warn(m),
    });
  } finally {
    progress.stop();
  }
}

export function formatIngestSummary(s: IngestSummary): string {
  const lines = [
    `Source : ${s.source}`,
    `${s.total} publications lues en ${(s.durationMs / 1000).toFixed(1)} s : ` +
      `${s.added} ajoutées, ${s.updated} mises à jour, ${s.unchanged} inchangées, ${s.removed} retirées, ${s.failed.length} en échec.`,
  ];
  for (const f of s.failed.slice(0, 20)) lines.push(`  - ${f.id} : ${f.message}`);
  if (s.failed.length > 20) lines.push(`  … et ${s.failed.length - 20} autres échecs.`);
  return lines.join('\n');
}

export function registerIngest(program: Command): void {
  const ingest = program.command('ingest').description('Indexer une source de connaissances');
  ingest
    .command('service-public')
    .description(
      'Indexer le corpus « Vos droits et démarches » (paquet intégré, ou zip/dossier XML de la DILA)',
    )
    .option('--source <zip|dossier>', 'vosdroits-latest.zip de la DILA, ou un dossier de fichiers XML')
    .action(async (opts: { source?: string }) => {
      await withServices(async (services) => {
        const summary = await runIngestWithProgress(services, opts.source);
        process.stdout.write(formatIngestSummary(summary) + '\n');
      });
    });
}
