import { analyze } from '../knowledge/analyze/french.js';
import type { Store } from '../store/spec.js';
import type { PublicationHit } from '../usecases/search-knowledge.js';

export interface RelevanceJudgement {
  relevant: boolean;
  /** Share of the question's information (IDF mass of its terms) found in the best publication. */
  coverage: number;
}

/** Below this coverage, the results are judged not to answer the question (set on the dev questions). */
export const MIN_COVERAGE = 0.2;

/**
 * Judges whether the best results answer the question at all: the IDF-weighted share of the
 * question's terms that occur in the best publication (title, description, passages). Rare terms
 * the corpus does not know (a town, a team, a film) weigh most, so "horaires de la CAF de
 * Roubaix" is not taken as answered by the national CAF pages.
 */
export async function judgeRelevance(
  store: Store,
  question: string,
  hits: PublicationHit[],
  minCoverage = MIN_COVERAGE,
  /** The search scope: the terms' rarity is the scope's (other organisations' documents do not count). */
  collectionIds?: string[],
): Promise<RelevanceJudgement> {
  const terms = [...new Set(analyze(question))];
  if (hits.length === 0 || terms.length === 0) return { relevant: false, coverage: 0 };
  const { chunks, df } = await store.search.termStats(terms, collectionIds);
  const idf = (t: string) => Math.log(1 + chunks / ((df.get(t) ?? 0) + 1));
  let best = 0;
  for (const hit of hits.slice(0, 3)) {
    const present = new Set(
      analyze([hit.title, hit.description, ...hit.passages.map((p) => p.text)].join('\n')),
    );
    let covered = 0;
    let total = 0;
    for (const t of terms) {
      const w = idf(t);
      total += w;
      if (present.has(t)) covered += w;
    }
    best = Math.max(best, total > 0 ? covered / total : 0);
  }
  return { relevant: best >= minCoverage, coverage: Math.round(best * 1000) / 1000 };
}
