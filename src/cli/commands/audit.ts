import type { Command } from 'commander';
import { withServices } from '../context.js';

/** `guichet audit verify | list`. */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description("Journal d'audit chaîné");
  audit
    .command('verify')
    .description(
      "Vérifier le chaînage du journal d'audit : toute entrée modifiée, supprimée ou déplacée est signalée",
    )
    .option('--json', 'sortie JSON')
    .action(async (opts: { json?: boolean }) => {
      await withServices(async (s) => {
        const r = await s.audit.verify();
        if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
        else if (r.ok)
          process.stdout.write(
            `Journal d'audit intègre : ${r.entries} entrée(s). Empreinte de tête (à noter ailleurs) : ${r.head ?? 'aucune'}\n`,
          );
        else {
          process.stdout.write(
            `Journal d'audit ALTÉRÉ (${r.problems.length} problème(s) sur ${r.entries} entrée(s)) :\n`,
          );
          for (const p of r.problems) process.stdout.write(`- ${p.message}\n`);
        }
        if (!r.ok) process.exitCode = 1;
      });
    });
  audit
    .command('list')
    .description("Afficher les entrées du journal d'audit (JSON, une par ligne)")
    .option('--after <n>', 'après cette entrée', '0')
    .option('--limit <n>', 'nombre maximal', '100')
    .action(async (opts: { after: string; limit: string }) => {
      const after = Math.max(0, Number.parseInt(opts.after, 10) || 0);
      const limit = Math.min(10_000, Math.max(1, Number.parseInt(opts.limit, 10) || 100));
      await withServices(async (s) => {
        for (const e of await s.audit.page({ afterSeq: after, limit }))
          process.stdout.write(JSON.stringify(e) + '\n');
      });
    });
}
