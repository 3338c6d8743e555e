import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { dataFlowMarkdown, dataFlowReport } from '../../privacy/data-flows.js';

/**
 * `guichet sovereignty report`: every outside endpoint with its operator, country, hosting,
 * certifications and foreign laws, the data sent and whether it is pseudonymised. Run from the CLI,
 * "since start" counts this process (zero); `GET /v1/admin/data-flows` gives the server's counts.
 */
export function registerSovereignty(program: Command): void {
  program
    .command('sovereignty')
    .description('Souveraineté et flux de données')
    .command('report')
    .description('Rapport des points de sortie (Markdown, ou JSON avec --json)')
    .option('--json', 'sortie JSON')
    .action((opts: { json?: boolean }) => {
      const config = loadConfig();
      const report = dataFlowReport(config, { requests: {}, refused: {} }, new Date());
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : dataFlowMarkdown(report));
    });
}
