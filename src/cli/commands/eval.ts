import type { Command } from 'commander';
import { evaluateRetrieval, type RetrievalReport } from '../../usecases/evaluate-retrieval.js';
import { SERVICE_PUBLIC_COLLECTION } from '../../usecases/ingest-service-public.js';
import { withServices } from '../context.js';
import { parseK } from './search.js';
import { evaluateAnswers } from '../../usecases/evaluate-answers.js';
import { DEFAULT_ORG_ID } from '../../accounts/model.js';

function formatReport(r: RetrievalReport): string {
  const lines = [
    `Questions évaluées : ${r.n} (sans réponse attendue, écartées : ${r.unanswerable.n})`,
    `recall@${r.k} : ${r.recall_at_k.toFixed(3)}`,
    `MRR@10 : ${r.mrr_at_10.toFixed(3)}`,
    'Par thème :',
    ...Object.entries(r.per_topic)
      .sort()
      .map(([t, v]) => `  ${t.padEnd(28)} ${v.recall_at_k.toFixed(2)} (${v.n})`),
  ];
  if (r.misses.length) {
    lines.push(`Manqués (${r.misses.length}) :`);
    for (const m of r.misses)
      lines.push(`  - ${m.id} « ${m.question} » attendu ${m.expected.join('|')}, obtenu ${m.got.join(', ')}`);
  }
  return lines.join('\n');
}

export function registerEval(program: Command): void {
  const evalCmd = program.command('eval').description('Mesurer la qualité');
  evalCmd
    .command('retrieval')
    .description('Mesurer la recherche sur un jeu de questions (JSONL)')
    .requiredOption('--questions <fichier.jsonl>', 'questions au format rag-dev.jsonl')
    .option('--k <n>', 'profondeur évaluée', '5')
    .option('--collection <id...>', 'collections interrogées (défaut : service-public)')
    .option('--json', 'sortie JSON')
    .action(async (opts: { questions: string; k: string; json?: boolean; collection?: string[] }) => {
      const k = parseK(opts.k);
      await withServices(async (services) => {
        const report = await evaluateRetrieval({
          store: services.store,
          file: opts.questions,
          k,
          collectionIds: opts.collection ?? [SERVICE_PUBLIC_COLLECTION],
          embedQuery: services.retriever.queryEmbedder(await services.privacy.forOrg(DEFAULT_ORG_ID)),
          rrfK: services.config.search.rrf_k,
        });
        process.stdout.write((opts.json ? JSON.stringify(report) : formatReport(report)) + '\n');
      });
    });
}

export function registerEvalAnswers(program: Command): void {
  const evalCmd = program.commands.find((c) => c.name() === 'eval')!;
  evalCmd
    .command('answers')
    .description('Mesurer les réponses : citation d’une fiche attendue, refus sans source')
    .requiredOption('--questions <fichier.jsonl>', 'questions au format rag-dev.jsonl ou eval/local')
    .option('--model <id>', 'modèle', 'guichet')
    .option('--k <n>', 'sources par réponse', '5')
    .option('--collection <id...>', 'collections interrogées (défaut : service-public)')
    .option('--json', 'sortie JSON')
    .action(
      async (opts: {
        questions: string;
        model: string;
        k: string;
        json?: boolean;
        collection?: string[];
      }) => {
        const k = parseK(opts.k);
        await withServices(async (s) => {
          const report = await evaluateAnswers({
            deps: { router: s.router, retriever: s.retriever },
            privacy: await s.privacy.forOrg(DEFAULT_ORG_ID),
            file: opts.questions,
            model: opts.model,
            collections: opts.collection ?? [SERVICE_PUBLIC_COLLECTION],
            k,
          });
          if (opts.json) return void process.stdout.write(JSON.stringify(report) + '\n');
          const lines = [
            `Modèle : ${report.model}`,
            `Questions avec réponse : ${report.answerable} — citent une fiche attendue : ${(report.grounded_rate * 100).toFixed(1)} % (refus à tort : ${report.false_refusals})`,
            `Questions sans réponse : ${report.unanswerable} — « aucune source » : ${(report.refusal_rate * 100).toFixed(1)} %`,
            ...(report.with_facts
              ? [
                  `Réponses contenant tous les éléments attendus : ${(report.facts_rate * 100).toFixed(1)} % (${report.with_facts} questions)`,
                ]
              : []),
            ...report.failures.map((f) => `  - ${f.id} « ${f.question} » : ${f.reason}`),
          ];
          process.stdout.write(lines.join('\n') + '\n');
        });
      },
    );
}
