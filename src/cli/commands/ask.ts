import type { Command } from 'commander';
import { answerDeps, completeAnswer, prepareAnswer } from '../../usecases/answer-question.js';
import { defaultCollectionsFor } from '../../usecases/visible-collections.js';
import { assertReadableCollections } from '../../usecases/visible-collections.js';
import { withServices } from '../context.js';
import { marker } from '../../usecases/ai-marker.js';
import { parseK } from './search.js';

export function registerAsk(program: Command): void {
  program
    .command('ask')
    .description('Poser une question : réponse fondée sur les sources, avec ses citations')
    .argument('<question>', 'la question, en français')
    .option('--model <id>', 'modèle (défaut : guichet)', 'guichet')
    .option('--k <n>', 'nombre de sources', '5')
    .option('--org <id>', 'organisation dont les collections sont interrogées', 'default')
    .option('--collection <id...>', 'collections interrogées (défaut : national + celles de l’organisation)')
    .option('--json', 'sortie JSON')
    .action(
      async (
        question: string,
        opts: { model: string; k: string; org: string; collection?: string[]; json?: boolean },
      ) => {
        const k = parseK(opts.k);
        await withServices(async (s) => {
          if (opts.collection) await assertReadableCollections(s.store, opts.collection, opts.org);
          const collections = opts.collection ?? (await defaultCollectionsFor(s.store, opts.org));
          const deps = answerDeps(s);
          const controller = new AbortController();
          process.once('SIGINT', () => controller.abort());
          const plan = await prepareAnswer(deps, {
            model: opts.model,
            messages: [{ role: 'user', content: question }],
            retrieval: { collections, k },
            params: {},
            signal: controller.signal,
            privacy: await s.privacy.forOrg(opts.org),
          });
          const result = await completeAnswer(deps, plan);
          if (opts.json) {
            process.stdout.write(
              JSON.stringify({
                answer: result.text,
                model: result.servedBy?.key ?? null,
                citations: result.citations,
                usage: result.usage,
                // AI Act art. 50: machine-readable marking, as on every API answer.
                guichet: marker(result, plan.fixedAnswer !== null),
              }) + '\n',
            );
            return;
          }
          const lines = [result.text, ''];
          const cited = (result.citations ?? []).filter((c) => c.cited);
          if (cited.length) {
            lines.push('Sources :');
            for (const c of cited) {
              const where = c.url ?? `${c.collection_name} › ${c.title}`;
              lines.push(
                `[${c.index}] ${c.title}${c.date ? ` (mise à jour ${c.date}${c.stale ? ', ancienne : à vérifier' : ''})` : ''} — ${where}`,
              );
            }
          }
          lines.push(
            '',
            `Réponse produite par une IA (${result.servedBy?.key ?? 'aucun modèle appelé'}) : vérifiez-la avant de la transmettre.`,
          );
          process.stdout.write(lines.join('\n') + '\n');
        });
      },
    );
}
