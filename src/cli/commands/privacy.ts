import type { Command } from 'commander';
import { runAsActor } from '../../privacy/audit-context.js';
import { processingRegisterMarkdown } from '../../privacy/register.js';
import { purgeExpiredData } from '../../privacy/retention.js';
import { effectiveRetention } from '../../privacy/retention-settings.js';
import { eraseSubjectData, exportSubjectData } from '../../privacy/subject-rights.js';
import { loadConfig } from '../../config/load.js';
import { AppError } from '../../shared/errors.js';
import { withServices } from '../context.js';

function privacyCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'privacy') ??
    program
      .command('privacy')
      .description('Données personnelles : détection, pseudonymisation, conservation, droits des personnes')
  );
}

const userId = (v: unknown): string => {
  if (typeof v !== 'string' || !/^[\w.-]{1,100}$/.test(v))
    throw new AppError('invalid_request', 'Identifiant d’utilisateur invalide (--user).');
  return v;
};

/** `guichet privacy purge | export | erase | register`. */
export function registerPrivacy(program: Command): void {
  const privacy = privacyCommand(program);
  privacy
    .command('purge')
    .description(
      'Supprimer ce qui dépasse la durée de conservation (privacy.retention) ; les nombres sont inscrits au journal d’audit',
    )
    .option('--json', 'sortie JSON')
    .action(async (opts: { json?: boolean }) => {
      await withServices(async (s) => {
        const { audit } = s;
        const retention = await effectiveRetention(s.store, s.config.privacy.retention);
        const r = await runAsActor({ via: 'cli' }, () =>
          purgeExpiredData({
            store: s.store,
            audit,
            retention,
            via: 'cli',
          }),
        );
        if (opts.json) return void process.stdout.write(JSON.stringify(r) + '\n');
        const c = r.counts;
        process.stdout.write(
          `Purge terminée : ${c.conversations} conversation(s) (${c.messages} message(s), ${c.feedback} avis), ` +
            `${c.usage} mesure(s) d’usage, ${c.audit} entrée(s) du journal d’audit, ${c.documents} document(s).\n`,
        );
      });
    });
  privacy
    .command('export')
    .description('Exporter en JSON tout ce que Guichet détient sur un utilisateur (droit d’accès)')
    .requiredOption('--user <id>', 'identifiant de l’utilisateur (usr_…)')
    .action(async (opts: { user: string }) => {
      const id = userId(opts.user);
      await withServices(async (s) => {
        const data = await runAsActor({ via: 'cli' }, () =>
          exportSubjectData({ store: s.store, audit: s.audit, userId: id }),
        );
        process.stdout.write(JSON.stringify(data, null, 2) + '\n');
      });
    });
  privacy
    .command('erase')
    .description('Effacer un utilisateur : conversations, avis, sessions, clés ; mesures d’usage anonymisées')
    .requiredOption('--user <id>', 'identifiant de l’utilisateur (usr_…)')
    .option('--json', 'sortie JSON')
    .action(async (opts: { user: string; json?: boolean }) => {
      const id = userId(opts.user);
      await withServices(async (s) => {
        const counts = await runAsActor({ via: 'cli' }, () =>
          eraseSubjectData({ store: s.store, audit: s.audit, userId: id }),
        );
        if (opts.json)
          return void process.stdout.write(JSON.stringify({ user_id: id, erased: counts }) + '\n');
        process.stdout.write(
          `Utilisateur ${id} effacé : ${counts.conversations} conversation(s), ${counts.feedback} avis, ${counts.sessions} session(s), ` +
            `${counts.apiKeys} clé(s) ; ${counts.usageAnonymised} mesure(s) d’usage anonymisée(s).\n`,
        );
      });
    });
  privacy
    .command('register')
    .description(
      'Fiche du registre des traitements (article 30 du RGPD), en Markdown, générée depuis la configuration',
    )
    .action(() => {
      process.stdout.write(processingRegisterMarkdown(loadConfig()));
    });
}
