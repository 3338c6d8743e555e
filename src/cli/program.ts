import { Command, CommanderError, Help, type OutputConfiguration } from 'commander';
import { frenchCommanderError, frenchHelp } from './french-commander.js';
import { isAppError, isDiskFull } from '../shared/errors.js';

type Register = (program: Command) => void;

/**
 * Each command's module is loaded only when that command runs (the whole tree loads for help or an
 * unknown command): a command starts in a fraction of the time it takes to load everything.
 */
const COMMANDS: Record<string, () => Promise<Register[]>> = {
  serve: async () => [(await import('./commands/serve.js')).registerServe],
  ingest: async () => [(await import('./commands/ingest.js')).registerIngest],
  search: async () => [(await import('./commands/search.js')).registerSearch],
  ask: async () => [(await import('./commands/ask.js')).registerAsk],
  doctor: async () => [(await import('./commands/doctor.js')).registerDoctor],
  eval: async () => {
    const m = await import('./commands/eval.js');
    return [m.registerEval, m.registerEvalAnswers];
  },
  orgs: async () => [(await import('./commands/orgs.js')).registerOrgs],
  users: async () => [(await import('./commands/users.js')).registerUsers],
  services: async () => [(await import('./commands/services.js')).registerServices],
  keys: async () => [(await import('./commands/keys.js')).registerKeys],
  'setup-link': async () => [(await import('./commands/setup-link.js')).registerSetupLink],
  quotas: async () => [(await import('./commands/quotas.js')).registerQuotas],
  collections: async () => [(await import('./commands/collections.js')).registerCollections],
  documents: async () => [(await import('./commands/documents.js')).registerDocuments],
  privacy: async () => [
    (await import('./commands/privacy-detect.js')).registerPrivacyDetect,
    (await import('./commands/privacy.js')).registerPrivacy,
  ],
  audit: async () => [(await import('./commands/audit.js')).registerAudit],
  sovereignty: async () => [(await import('./commands/sovereignty.js')).registerSovereignty],
  'ai-tools': async () => [(await import('./commands/ai-tools.js')).registerAiTools],
  'migrate-store': async () => [(await import('./commands/migrate-store.js')).registerMigrateStore],
  backup: async () => [(await import('./commands/backup.js')).registerBackup],
  restore: async () => [(await import('./commands/backup.js')).registerRestore],
  migrate: async () => [(await import('./commands/backup.js')).registerMigrate],
};

/** `output` redirects what commander writes (tests); set before the commands inherit it. */
export async function buildProgram(
  argv: string[] = process.argv,
  output: OutputConfiguration = {},
): Promise<Command> {
  const program = new Command()
    .name('guichet')
    .description('Guichet — assistant IA souverain pour les services publics')
    .version('0.1.0', '-v, --version', 'afficher la version')
    .helpOption('-h, --help', "afficher l'aide")
    .addHelpCommand('help [commande]', "afficher l'aide d'une commande")
    .showHelpAfterError('(utilisez --help pour la liste des options)')
    .exitOverride();
  program.configureOutput({ outputError: (str, write) => write(frenchCommanderError(str)), ...output });
  program.configureHelp({
    formatHelp: (cmd, helper) => frenchHelp(Help.prototype.formatHelp.call(helper, cmd, helper)),
  });
  const first = argv[2] ?? '';
  const wanted = COMMANDS[first]
    ? [COMMANDS[first]]
    : ['-v', '--version'].includes(first)
      ? []
      : Object.values(COMMANDS);
  for (const load of wanted) for (const register of await load()) register(program);
  return program;
}

/** Runs the CLI: one French line on stderr and a non-zero exit on any error. */
export async function runCli(argv: string[]): Promise<void> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    const message = isAppError(e)
      ? e.message
      : isDiskFull(e)
        ? "le disque est plein : l'opération a été annulée, rien n'a été modifié. Libérez de l'espace puis recommencez."
        : `Erreur inattendue : ${(e as Error)?.message ?? String(e)}`;
    process.stderr.write(`Erreur : ${message}\n`);
    // Exit now: a failed command may leave open what it had started (a database pool, the job
    // queue's timers, a Redis client), and a `serve` that failed at start must not stay up mute.
    process.exit(1);
  }
}
