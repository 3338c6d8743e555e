import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { AppError } from '../../shared/errors.js';
import { migrateStore, type MigrateStoreSummary } from '../../usecases/migrate-store.js';
import { createProgress } from '../progress.js';

export function formatMigrateSummary(s: MigrateStoreSummary): string {
  const lines = [
    `Copie terminée en ${(s.durationMs / 1000).toFixed(1)} s : ${s.source} → ${s.target}`,
    ...Object.entries(s.copied).map(([table, n]) => `  ${table} : ${n}`),
    `Journal d'audit : ${s.audit.entries} entrée(s), ${s.audit.ok ? 'chaînage vérifié' : 'ALTÉRÉ (voir « guichet audit verify »)'}.`,
  ];
  if (s.vectorsSkipped > 0)
    lines.push(`${s.vectorsSkipped} vecteurs non copiés (pgvector absent de la base cible).`);
  lines.push(
    'Pour utiliser PostgreSQL, définissez DATABASE_URL (ou store.database_url) puis redémarrez Guichet.',
  );
  return lines.join('\n');
}

/** `guichet migrate-store --from sqlite --to postgres://…`: moves an install from SQLite to PostgreSQL. */
export function registerMigrateStore(program: Command): void {
  program
    .command('migrate-store')
    .description(
      "Copier une installation SQLite (données, comptes, clés, usage, journal d'audit, conversations) vers une base PostgreSQL vide",
    )
    .requiredOption('--from <source>', 'stockage source (seul « sqlite » est possible)')
    .requiredOption('--to <url>', 'URL de la base PostgreSQL cible (postgres://…)')
    .option('--data-dir <dossier>', 'dossier de données SQLite (par défaut : celui de la configuration)')
    .option('--force', 'vider la base cible si elle contient déjà des données')
    .action(async (opts: { from: string; to: string; dataDir?: string; force?: boolean }) => {
      if (opts.from !== 'sqlite')
        throw new AppError(
          'invalid_request',
          `Source inconnue : « ${opts.from} » (seul « sqlite » est possible).`,
        );
      if (!/^postgres(ql)?:\/\//.test(opts.to)) {
        throw new AppError(
          'invalid_request',
          'La cible doit être une URL PostgreSQL (postgres://utilisateur@hôte:5432/base).',
        );
      }
      const config = loadConfig();
      const progress = createProgress('Copie vers PostgreSQL');
      try {
        const summary = await migrateStore({
          dataDir: opts.dataDir ?? config.data_dir,
          databaseUrl: opts.to,
          force: opts.force === true,
          postgres: {
            maxConnections: config.store.pool_max,
            idleTimeoutMs: config.store.pool_idle_timeout_ms,
          },
          onProgress: (p) => progress.update(p.done, p.total),
          onWarning: (m) => process.stderr.write(`Attention : ${m}\n`),
        });
        progress.stop();
        process.stdout.write(formatMigrateSummary(summary) + '\n');
        if (!summary.audit.ok) process.exitCode = 1;
      } finally {
        progress.stop();
      }
    });
}
