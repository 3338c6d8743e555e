import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { createModelStack } from '../../models/create-model-stack.js';
import { openStore } from '../../store/index.js';
import { runDoctor, type Check } from '../../usecases/run-doctor.js';

const ICON: Record<Check['status'], string> = { ok: '✔', warning: '!', error: '✘' };

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Vérifier la configuration, le stockage, le corpus et chaque fournisseur de modèles')
    .option('--json', 'sortie JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const store = await openStore({ dataDir: config.data_dir, databaseUrl: config.store.database_url });
      const stack = createModelStack({ providers: config.providers, models: [] });
      try {
        const checks = await runDoctor({ config, store, providers: stack.providers });
        if (opts.json) process.stdout.write(JSON.stringify({ checks }) + '\n');
        else {
          for (const c of checks) {
            process.stdout.write(`${ICON[c.status]} ${c.name} : ${c.detail}\n`);
            if (c.fix) process.stdout.write(`    → ${c.fix}\n`);
          }
        }
        if (checks.some((c) => c.status === 'error')) process.exitCode = 1;
      } finally {
        await stack.router.close();
        await store.close();
      }
    });
}
