import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { openStore } from '../../store/index.js';
import {
  backupStore,
  preMigrationBackup,
  restoreStore,
  type BackupResult,
  type RestoreResult,
} from '../../usecases/backup-store.js';

/** The passphrase is never a flag (it would stay in the shell history and `ps`): an environment variable. */
const PASSPHRASE_ENV = 'GUICHET_BACKUP_PASSPHRASE';

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} Mio`;
}

export function formatBackup(r: BackupResult): string {
  const m = r.manifest;
  return [
    `Sauvegarde écrite : ${r.file} (${mib(r.bytes)}, ${(r.durationMs / 1000).toFixed(1)} s${r.encrypted ? ', chiffrée' : ''})`,
    `  moteur ${m.engine}, schéma ${m.schema_version} ; organisations ${m.counts.organisations ?? 0}, personnes ${m.counts.users ?? 0}, clés ${m.counts.api_keys ?? 0}, conversations ${m.counts.conversations ?? 0}, documents ${m.counts.documents ?? 0}`,
    `  journal d'audit : ${m.audit.entries} entrée(s)${m.excluded_collections.length ? ` ; corpus intégré non copié (${m.excluded_collections.join(', ')}) : il sera réindexé depuis sa source` : ''}`,
  ].join('\n');
}

export function formatRestore(r: RestoreResult): string {
  return [
    `Restauration terminée en ${(r.durationMs / 1000).toFixed(1)} s dans ${r.engine === 'sqlite' ? r.target : 'PostgreSQL'} (sauvegarde du ${r.manifest.created_at}).`,
    `  journal d'audit vérifié : ${r.audit.entries} entrée(s) ; organisations ${r.counts.organisations ?? 0}, clés ${r.counts.api_keys ?? 0}, conversations ${r.counts.conversations ?? 0}, documents ${r.counts.documents ?? 0}`,
    ...(r.previous ? [`  l'ancienne base est gardée dans ${r.previous}`] : []),
    '  Au prochain « guichet serve », le corpus intégré sera réindexé (environ une minute).',
  ].join('\n');
}

/** `guichet backup [--to]`. */
export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      `Sauvegarder ce qui ne se reconstruit pas (comptes, clés, usage, conversations, avis, journal d'audit, collections et documents, configuration sans secrets), pendant que le serveur tourne ; chiffrée si ${PASSPHRASE_ENV} est définie`,
    )
    .option(
      '--to <fichier|dossier>',
      'fichier ou dossier de destination (défaut : <dossier de données>/sauvegardes/)',
    )
    .option('--json', 'sortie JSON')
    .action(async (opts: { to?: string; json?: boolean }) => {
      const config = loadConfig();
      const r = await backupStore({
        config,
        to: opts.to,
        passphrase: process.env[PASSPHRASE_ENV] || undefined,
      });
      process.stdout.write((opts.json ? JSON.stringify(r) : formatBackup(r)) + '\n');
    });
}

/** `guichet restore <archive> [--force]`. */
export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description(
      `Restaurer une sauvegarde dans un dossier de données ou une base PostgreSQL vides (phrase de passe d'une sauvegarde chiffrée : ${PASSPHRASE_ENV})`,
    )
    .argument('<archive>', 'fichier de sauvegarde')
    .option('--data-dir <dossier>', 'dossier de données SQLite cible (défaut : celui de la configuration)')
    .option('--database-url <url>', 'base PostgreSQL cible (défaut : DATABASE_URL)')
    .option('--force', "remplacer une base qui n'est pas vide (SQLite : l'ancienne est gardée à côté)")
    .option('--json', 'sortie JSON')
    .action(
      async (
        archive: string,
        opts: { dataDir?: string; databaseUrl?: string; force?: boolean; json?: boolean },
      ) => {
        const config = loadConfig();
        const r = await restoreStore({
          archive,
          dataDir: opts.dataDir ?? config.data_dir,
          databaseUrl: opts.databaseUrl ?? config.store.database_url,
          passphrase: process.env[PASSPHRASE_ENV] || undefined,
          force: opts.force === true,
        });
        process.stdout.write((opts.json ? JSON.stringify(r) : formatRestore(r)) + '\n');
      },
    );
}

/** `guichet migrate`: brings the store's schema up to date (after a copy of the database), and says so. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'Mettre à jour le schéma de la base après une nouvelle version de Guichet (une copie de la base est faite avant, dans sauvegardes/)',
    )
    .action(async () => {
      const config = loadConfig();
      const store = await openStore({
        dataDir: config.data_dir,
        databaseUrl: config.store.database_url,
        postgres: { beforeMigrate: preMigrationBackup(config) },
      });
      try {
        process.stdout.write(
          `Schéma à jour : version ${store.info.schemaVersion} (${store.info.adapter}, ${store.info.location}).\n`,
        );
      } finally {
        await store.close();
      }
    });
}
