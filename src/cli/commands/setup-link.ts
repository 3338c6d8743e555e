import type { Command } from 'commander';
import { DEFAULT_ORG_ID } from '../../accounts/model.js';
import { createSetupToken, SETUP_LINK_TTL_SECONDS, SETUP_PATH } from '../../accounts/setup.js';
import { AppError } from '../../shared/errors.js';
import { withServices } from '../context.js';

/** The French message that carries a one-time set-up link (start-up of `guichet serve`, `setup-link`). */
export function setupMessage(host: string, port: number, token: string): string {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]';
  const shown = wildcard ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const link = `http://${shown}:${port}${SETUP_PATH}?jeton=${token}`;
  const lines = [
    '',
    "Première installation : Guichet n'a pas encore d'administrateur.",
    'Ouvrez ce lien dans votre navigateur pour créer le compte administrateur',
    `(valable ${SETUP_LINK_TTL_SECONDS / 3600} heure, utilisable une seule fois) :`,
    '',
    `  ${link}`,
    '',
  ];
  if (wildcard)
    lines.push("Depuis un autre poste, remplacez 127.0.0.1 par le nom ou l'adresse de ce serveur.");
  lines.push(
    `Lien expiré ? « guichet setup-link » en affiche un autre ; ou créez une clé : guichet keys create --org ${DEFAULT_ORG_ID} --role admin`,
    '',
  );
  return lines.join('\n');
}

export function registerSetupLink(program: Command): void {
  program
    .command('setup-link')
    .description(
      "Afficher un nouveau lien d'installation (création du premier administrateur, valable une heure)",
    )
    .action(async () => {
      await withServices(async ({ store, config }) => {
        const setup = await createSetupToken({ store });
        if (!setup)
          throw new AppError(
            'conflict',
            "Guichet a déjà un administrateur : aucun lien d'installation n'est créé. Créez d'autres comptes depuis l'administration, ou une clé avec « guichet keys create ».",
          );
        process.stdout.write(setupMessage(config.server.host, config.server.port, setup.token));
      });
    });
}
