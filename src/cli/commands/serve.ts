import { parsePool } from '../../usecases/ingest-document.js';
import { closeParsePools } from '../../knowledge/parse-pool/pool.js';
import type { Command } from 'commander';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { ensureDefaultOrganisation } from '../../accounts/create-organisation.js';
import { DEFAULT_ORG_ID } from '../../accounts/model.js';
import { createApp } from '../../http/app.js';
import { SERVICE_PUBLIC_COLLECTION } from '../../usecases/ingest-service-public.js';
import { openServices } from '../context.js';
import { configFingerprint } from '../../privacy/config-fingerprint.js';
import { schedulePurge } from '../../privacy/retention.js';
import { formatIngestSummary, runIngestWithProgress } from './ingest.js';
import { jobQueue } from '../../jobs/index.js';
import { scheduleFolderSyncs } from '../../jobs/folder-sync.js';
import { createSetupToken } from '../../accounts/setup.js';
import { setupMessage } from './setup-link.js';
import { scheduleRefresh } from '../../jobs/refresh-job.js';
import { scheduleBackups } from '../../usecases/scheduled-backup.js';
import type { Services } from '../../services.js';

/**
 * What a running server owes privacy from its start: the configuration's fingerprint in the audit
 * log, and the retention purge (at once, then every `purge_interval_hours`). Returns its stop.
 */
export async function startPrivacyDuties(services: Services): Promise<() => void> {
  const { store, config, logger } = services;
  const { audit } = services;
  await audit.append({
    type: 'config.loaded',
    actor: { via: 'system' },
    data: {
      config_sha256: configFingerprint(config),
      providers: config.providers.map((p) => p.id),
      pseudonymise: config.privacy.pseudonymise,
    },
  });
  return schedulePurge({
    store,
    audit,
    retention: config.privacy.retention,
    hours: config.privacy.purge_interval_hours,
    logger,
  });
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      "Démarrer le serveur (API, interface) ; au premier démarrage, indexe d'abord le corpus intégré",
    )
    .option('--port <port>', "port d'écoute (défaut : PORT ou 8080)")
    .option('--host <hôte>', "adresse d'écoute (défaut : HOST ou 127.0.0.1)")
    .action(async (opts: { port?: string; host?: string }) => {
      const server: Record<string, unknown> = {};
      if (opts.port !== undefined) server.port = Number(opts.port);
      if (opts.host !== undefined) server.host = opts.host;
      const services = await openServices({ server });
      const { store, config, logger } = services;
      if ((await store.documents.count(SERVICE_PUBLIC_COLLECTION)) === 0) {
        // Replicas started together on an empty database: one indexes, the others wait for it.
        await store.meta.exclusive(
          'first-ingest',
          async () => {
            if ((await store.documents.count(SERVICE_PUBLIC_COLLECTION)) > 0) return;
            process.stderr.write('Premier démarrage : indexation du corpus service-public.fr intégré…\n');
            const summary = await runIngestWithProgress(services);
            process.stderr.write(formatIngestSummary(summary) + '\n');
          },
          () =>
            process.stderr.write(
              "Une autre instance indexe le corpus service-public.fr : attente de la fin de l'indexation…\n",
            ),
        );
      }
      if (config.search.memory_index) {
        // In the background: until the copy is ready (about a second), the store answers searches.
        void store.search.warmLexical({
          info: (m) => logger.info(m),
          warn: (m) => logger.warn(m),
        });
      }
      await ensureDefaultOrganisation(store, DEFAULT_ORG_ID);
      // Parsing workers start now, in the background: the first upload does not wait for them.
      parsePool(config.documents)
        .warm()
        .catch((e: unknown) => logger.warn({ err: e }, 'préchauffage des analyseurs de fichiers impossible'));
      // No administrator yet: a one-time set-up link, printed below once the port is known.
      const setup = await createSetupToken({ store });
      const stopPurge = await startPrivacyDuties(services);
      // Automatic backups (one replica at a time on PostgreSQL), recorded for /health and doctor.
      const stopBackups = scheduleBackups({
        config,
        store,
        passphrase: process.env.GUICHET_BACKUP_PASSPHRASE || undefined,
        log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
      });
      // Works on queued jobs (pg-boss: those of every replica, including a dead one's).
      const jobs = await jobQueue(services);
      // Corpus refresh from the DILA (daily by default): one replica queues it, one runs it.
      const refresh = scheduleRefresh({
        store,
        queue: jobs,
        every: config.knowledge.service_public.refresh,
        logger,
      });
      // Collections with a `sync` folder in the configuration are kept in step with it.
      const stopSync = scheduleFolderSyncs(services);
      const app = createApp(services);
      const httpServer = serve(
        { fetch: app.fetch, port: config.server.port, hostname: config.server.host },
        (info: AddressInfo) => {
          process.stdout.write(`Guichet écoute sur http://${config.server.host}:${info.port}\n`);
          // On the console only (stdout), never in the JSON logs (stderr): whoever reads it can
          // become the administrator.
          if (setup) process.stdout.write(setupMessage(config.server.host, info.port, setup.token));
          logger.info({ port: info.port, host: config.server.host }, 'listening');
        },
      );
      // Stops the purge, then closes each part even if another failed (closing the store writes
      // what it still buffers: usage rows), then exits with `code`.
      const closeAll = async (code: number) => {
        stopPurge();
        stopSync();
        refresh.stop();
        try {
          await stopBackups();
        } catch (err) {
          logger.error({ err }, 'shutdown step failed');
        }
        try {
          await closeParsePools();
        } catch (err) {
          logger.error({ err }, 'shutdown step failed');
        }
        await services.close();
        process.exit(code);
      };
      // A port already taken or forbidden: one French line and a non-zero exit, not a stack trace.
      httpServer.once('error', (err: NodeJS.ErrnoException) => {
        const where = `${config.server.host}:${config.server.port}`;
        const message =
          err.code === 'EADDRINUSE'
            ? `le port ${where} est déjà utilisé par un autre programme : choisissez-en un autre avec --port ou la variable PORT.`
            : err.code === 'EACCES'
              ? `ce compte n'a pas le droit d'écouter sur ${where} (ports inférieurs à 1024 réservés) : choisissez un port au-dessus de 1024.`
              : err.code === 'EADDRNOTAVAIL'
                ? `l'adresse ${config.server.host} n'appartient pas à cette machine : vérifiez --host ou HOST.`
                : `impossible d'écouter sur ${where} (${err.message}).`;
        process.stderr.write(`Erreur : ${message}\n`);
        void closeAll(1);
      });
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        stopPurge(); // at once: no purge starts while requests finish
        httpServer.close(() => void closeAll(0));
        // Requests still running after 5 s (a long stream) are cut; the close above then runs.
        setTimeout(() => {
          if ('closeAllConnections' in httpServer) httpServer.closeAllConnections();
        }, 5000).unref();
        setTimeout(() => process.exit(0), 10_000).unref();
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}
