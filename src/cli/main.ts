import { Command, CommanderError } from 'commander';
import { isAppError } from '../shared/errors.js';
import { registerEval, registerEvalAnswers } from './commands/eval.js';
import { registerIngest } from './commands/ingest.js';
import { registerKeys } from './commands/keys.js';
import { registerOrgs } from './commands/orgs.js';
import { registerUsers } from './commands/users.js';
import { registerSearch } from './commands/search.js';
import { registerAsk } from './commands/ask.js';
import { registerDoctor } from './commands/doctor.js';
import { registerServe } from './commands/serve.js';
import { registerCollections } from './commands/collections.js';
import { registerDocuments } from './commands/documents.js';
import { registerPrivacyDetect } from './commands/privacy-detect.js';
import { registerPrivacy } from './commands/privacy.js';
import { registerAudit } from './commands/audit.js';
import { registerSovereignty } from './commands/sovereignty.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('guichet')
    .description('Guichet — assistant IA souverain pour les services publics')
    .version('0.1.0', '-v, --version', 'afficher la version')
    .helpOption('-h, --help', "afficher l'aide")
    .addHelpCommand('help [commande]', "afficher l'aide d'une commande")
    .showHelpAfterError('(utilisez --help pour la liste des options)')
    .exitOverride();
  program.configureOutput({
    outputError: (str, write) => write(str.replace(/^error:/, 'Erreur :')),
  });
  registerServe(program);
  registerIngest(program);
  registerSearch(program);
  registerAsk(program);
  registerDoctor(program);
  registerEval(program);
  registerOrgs(program);
  registerUsers(program);
  registerKeys(program);
  registerEvalAnswers(program);
  registerCollections(program);
  registerDocuments(program);
  registerPrivacyDetect(program);
  registerPrivacy(program);
  registerAudit(program);
  registerSovereignty(program);
  return program;
}

/** Runs the CLI: one French line on stderr and a non-zero exit on any error. */
export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    const message = isAppError(e) ? e.message : `Erreur inattendue : ${(e as Error)?.message ?? String(e)}`;
    process.stderr.write(`Erreur : ${message}\n`);
    process.exitCode = 1;
  }
}

await runCli(process.argv);
