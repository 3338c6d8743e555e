import type { Command } from 'commander';
import { ingestServicePublic, type IngestSummary } from '../../usecases/ingest-service-public.js';
import { withServices } from '../context.js';
import { createProgress } from '../progress.js';
import type { Services } from '../../services.js';
import { AppError } from '../../shared/errors.js';
import { ingestTravailEmploi } from '../../usecases/ingest-travail-emploi.js';
import {
  refreshReportJson,
  refreshServicePublic,
  type RefreshReport,
} from '../../usecases/refresh-service-public.js';

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

/** The change report of an ingestion, for a person: counts, then the changed fiches (newest first). */
export function formatChanges(s: IngestSummary, max = 30): string[] {
  const label = { added: 'ajoutée', updated: 'mise à jour', removed: 'retirée' } as const;
  const lines: string[] = [];
  if (s.changes.length === 0) return lines;
  lines.push('Fiches modifiées :');
  for (const c of s.changes.slice(0, max)) {
    const date = c.date
      ? ` (${c.date}${c.previous_date && c.previous_date !== c.date ? `, avant : ${c.previous_date}` : ''})`
      : '';
    lines.push(`  - ${c.id} ${label[c.change]} : ${c.title}${date}`);
  }
  const more = s.added + s.updated + s.removed - Math.min(max, s.changes.length);
  if (more > 0) lines.push(`  … et ${more} autres.`);
  return lines;
}

export function formatRefreshReport(r: RefreshReport): string {
  const lines = [r.message];
  for (const a of r.archives)
    lines.push(
      `  - archive ${a.audience} : ${a.status === 'unchanged' ? 'inchangée (304)' : `téléchargée (${Math.round((a.bytes ?? 0) / 1024)} ko, ${a.publications} publications)`}`,
    );
  if (r.summary) lines.push(formatIngestSummary(r.summary), ...formatChanges(r.summary));
  return lines.join('\n');
}

export async function runRefresh(services: Services, opts: { quiet?: boolean } = {}): Promise<RefreshReport> {
  const progress = opts.quiet ? null : createProgress('Indexation service-public.fr');
  try {
    return await refreshServicePublic({
      store: services.store,
      egress: services.egress,
      config: services.config.knowledge.service_public,
      dataDir: services.config.data_dir,
      chunkTokens: services.config.search.chunk_tokens,
      onArchive: opts.quiet
        ? undefined
        : (audience, url) => process.stderr.write(`Téléchargement de l'archive ${audience} : ${url}\n`),
      onProgress: progress ? (p) => progress.update(p.done, p.total) : undefined,
      onWarning: (m) => services.logger.warn(m),
    });
  } finally {
    progress?.stop();
  }
}

export function registerIngest(program: Command): void {
  const ingest = program.command('ingest').description('Indexer une source de connaissances');
  ingest
    .command('service-public')
    .description(
      'Indexer le corpus « Vos droits et démarches » (paquet intégré, ou zip/dossier XML de la DILA)',
    )
    .option('--source <zip|dossier>', 'vosdroits-latest.zip de la DILA, ou un dossier de fichiers XML')
    .option(
      '--update',
      'télécharger les archives de la DILA (particuliers, professionnels, associations) et ne réindexer que ce qui a changé',
    )
    .option('--json', 'avec --update : rapport en JSON (archives, compteurs, fiches modifiées)')
    .action(async (opts: { source?: string; update?: boolean; json?: boolean }) => {
      if (opts.update && opts.source)
        throw new AppError(
          'invalid_request',
          '--update et --source ne vont pas ensemble : choisissez l’un des deux.',
        );
      if (opts.json && !opts.update)
        throw new AppError('invalid_request', '--json ne s’emploie qu’avec --update.');
      await withServices(async (services) => {
        if (opts.update) {
          const report = await runRefresh(services, { quiet: opts.json });
          process.stdout.write(
            (opts.json ? JSON.stringify(refreshReportJson(report), null, 2) : formatRefreshReport(report)) +
              '\n',
          );
          return;
        }
        const summary = await runIngestWithProgress(services, opts.source);
        process.stdout.write(formatIngestSummary(summary) + '\n');
      });
    });
  ingest
    .command('travail-emploi')
    .description(
      'Indexer les fiches pratiques du droit du travail (travail-emploi.gouv.fr, paquet @socialgouv/fiches-travail-data)',
    )
    .action(async () => {
      await withServices(async (services) => {
        const progress = createProgress('Indexation travail-emploi.gouv.fr');
        try {
          const s = await ingestTravailEmploi({
            store: services.store,
            chunkTokens: services.config.search.chunk_tokens,
            onProgress: (p) => progress.update(p.done, p.total),
            onWarning: (m) => services.logger.warn(m),
          });
          progress.stop();
          const lines = [
            `Source : ${s.source}`,
            `${s.total} fiches lues en ${(s.durationMs / 1000).toFixed(1)} s : ` +
              `${s.added} ajoutées, ${s.updated} mises à jour, ${s.unchanged} inchangées, ${s.removed} retirées, ${s.failed.length} en échec.`,
            ...s.failed.slice(0, 20).map((f) => `  - ${f.id} : ${f.message}`),
          ];
          process.stdout.write(lines.join('\n') + '\n');
        } finally {
          progress.stop();
        }
      });
    });
}
