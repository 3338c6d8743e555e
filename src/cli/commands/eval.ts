import type { Command } from 'commander';
import { evaluateRetrievalFiles, type RetrievalReport } from '../../usecases/evaluate-retrieval.js';
import { SERVICE_PUBLIC_COLLECTION } from '../../usecases/ingest-service-public.js';
import { withServices } from '../context.js';
import { parseK } from './search.js';
import { evaluateAnswersFiles, type AnswerEvalReport } from '../../usecases/evaluate-answers.js';
import { DEFAULT_ORG_ID } from '../../accounts/model.js';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Several files: each one's report under its name, then the combined one. */
function sections<T>(files: (T & { file: string })[], combined: T, format: (r: T) => string[]): string {
  if (files.length === 1) return format(files[0]).join('\n');
  return [
    ...files.flatMap((f) => [`== ${f.file}`, ...format(f), '']),
    `== Ensemble (${files.length} fichiers)`,
    ...format(combined),
  ].join('\n');
}

function formatAnswers(r: AnswerEvalReport): string[] {
  return [
    `Modèle : ${r.model}`,
    `Questions avec réponse : ${r.answerable} — citent une fiche attendue : ${pct(r.grounded_rate)} (refus à tort : ${r.false_refusals}, ${pct(r.false_refusal_rate)})`,
    `Questions sans réponse : ${r.unanswerable} — « aucune source » : ${r.refused} (${pct(r.refusal_rate)})`,
    `Questions sur une année postérieure aux sources : ${r.near_miss.n} — la réponse le dit : ${r.near_miss.honest}`,
    ...(r.with_facts
      ? [`Réponses contenant tous les éléments attendus : ${pct(r.facts_rate)} (${r.with_facts} questions)`]
      : []),
    ...r.failures.map((f) => `  - ${f.id} « ${f.question} » : ${f.reason}`),
  ];
}

function formatReport(r: RetrievalReport): string[] {
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
  return lines;
}

export function registerEval(program: Command): void {
  const evalCmd = program.command('eval').description('Mesurer la qualité');
  evalCmd
    .command('retrieval')
    .description('Mesurer la recherche sur un jeu de questions (JSONL)')
    .requiredOption(
      '--questions <fichier.jsonl...>',
      'questions au format rag-dev.jsonl (un ou plusieurs fichiers)',
    )
    .option('--k <n>', 'profondeur évaluée', '5')
    .option('--collection <id...>', 'collections interrogées (défaut : service-public)')
    .option('--json', 'sortie JSON')
    .action(async (opts: { questions: string[]; k: string; json?: boolean; collection?: string[] }) => {
      const k = parseK(opts.k);
      await withServices(async (services) => {
        const multi = await evaluateRetrievalFiles({
          store: services.store,
          files: opts.questions,
          k,
          collectionIds: opts.collection ?? [SERVICE_PUBLIC_COLLECTION],
          embedQuery: services.retriever.queryEmbedder(await services.privacy.forOrg(DEFAULT_ORG_ID)),
          rrfK: services.config.search.rrf_k,
        });
        // One file: its report as before; several: per file and combined.
        const json = multi.files.length === 1 ? multi.files[0] : multi;
        process.stdout.write(
          (opts.json ? JSON.stringify(json) : sections(multi.files, multi.combined, formatReport)) + '\n',
        );
      });
    });
}

export function registerEvalAnswers(program: Command): void {
  const evalCmd = program.commands.find((c) => c.name() === 'eval')!;
  evalCmd
    .command('answers')
    .description('Mesurer les réponses : citation d’une fiche attendue, refus sans source')
    .requiredOption(
      '--questions <fichier.jsonl...>',
      'questions au format rag-dev.jsonl ou eval/local (un ou plusieurs fichiers)',
    )
    .option('--model <id>', 'modèle', 'guichet')
    .option('--k <n>', 'sources par réponse', '5')
    .option('--collection <id...>', 'collections interrogées (défaut : service-public)')
    .option('--json', 'sortie JSON')
    .action(
      async (opts: {
        questions: string[];
        model: string;
        k: string;
        json?: boolean;
        collection?: string[];
      }) => {
        const k = parseK(opts.k);
        await withServices(async (s) => {
          const multi = await evaluateAnswersFiles({
            deps: {
              router: s.router,
              retriever: s.retriever,
              // A generative model's own "no source" counts as a refusal, as users get it.
              modelAbstention: s.config.answers.model_abstention,
            },
            privacy: await s.privacy.forOrg(DEFAULT_ORG_ID),
            files: opts.questions,
            model: opts.model,
            collections: opts.collection ?? [SERVICE_PUBLIC_COLLECTION],
            k,
          });
          if (opts.json) {
            const json = multi.files.length === 1 ? multi.files[0] : multi;
            return void process.stdout.write(JSON.stringify(json) + '\n');
          }
          process.stdout.write(sections(multi.files, multi.combined, formatAnswers) + '\n');
        });
      },
    );
}
