import { analyze, fold } from '../knowledge/analyze/french.js';
import type { Store } from '../store/spec.js';
import type { PublicationHit } from '../usecases/search-knowledge.js';
import { ABSTENTION_MODEL } from './abstention-model.js';

/**
 * "No source" decided from evidence: measured signals of how well the best results cover the
 * question, combined by a small logistic model fitted and cross-validated on the labelled dev
 * questions (scripts/fit-abstention.ts writes `abstention-model.ts`). The signals look at the
 * question's terms against the corpus's statistics and the results; the few word patterns below
 * name general kinds of request (time deixis, a person's own file, asking for an opinion), never
 * what a given question says.
 */
export interface AbstentionSignals {
  /** IDF-weighted share of the question's terms found in the best of the first 3 publications. */
  coverage: number;
  /** Share of the question's 3 rarest known terms found in the best of the first 3 publications. */
  rare_coverage: number;
  /** Share of the question's IDF mass carried by terms the corpus does not know at all. */
  unknown_mass: number;
  /** Share of the question's IDF mass carried by terms known to at most a handful of chunks. */
  scarce_mass: number;
  /** IDF-weighted share of the question's terms found in the first publication's title and description. */
  title_coverage: number;
  /** First publication's score over the question's total IDF (a BM25 normalised by the question). */
  top_score: number;
  /** (first − fifth) / first publication score: a flat list says nothing stands out. */
  margin: number;
  /** Capitalised words (not the first of a sentence) the corpus barely knows: a place, a person, a brand. */
  unknown_names: number;
  /** Real-time deixis: today, tomorrow, now, currently. */
  realtime: number;
  /** Place deixis: here, the nearest, somewhere around. */
  here: number;
  /** An office with local branches followed by a place the corpus barely knows ("la CPAM de Quimper"). */
  local_office: number;
  /** The person's own file or a past event of their case: "mon dossier", "j'ai envoyé", "ma prime a baissé". */
  own_file: number;
  /** A request for an opinion or a task, not for a rule: "tu penses", "selon vous", "écris-moi". */
  opinion: number;
  /** log(1 + number of distinct question terms). */
  length: number;
}

export const SIGNAL_NAMES = [
  'coverage',
  'rare_coverage',
  'unknown_mass',
  'scarce_mass',
  'title_coverage',
  'top_score',
  'margin',
  'unknown_names',
  'realtime',
  'here',
  'local_office',
  'own_file',
  'opinion',
  'length',
] as const satisfies readonly (keyof AbstentionSignals)[];

const SCARCE_DF = 5;

/** Now, today, tomorrow: what changes by the hour is never in reference documentation. */
const REALTIME =
  /\b(aujourd'?hui|demain|ce soir|cette nuit|en ce moment|maintenant|actuellement|en direct|tout de suite|hier soir|en temps reel)\b/;
/** Here, the nearest: a place only someone on the spot can tell. */
const HERE =
  /\b(ici|d'ici|quelque part|le plus proche|la plus proche|les plus proches|pres de chez moi|a cote de chez moi|dans le coin)\b/;
const OWN_FILE =
  /\b((mon|ma|mes|notre|nos) (dossier|demande|remboursement|paiement|versement|virement|courrier|papiers|releve)\b.{0,40}\b(recu|traite|bloque|baisse|en cours|ou en est)|a bien recu|ont bien recu|ou (il|elle) en est|ou en est (mon|ma)|(j'ai|on m'a|m'a) (envoye|depose|recu|fait)\b.{0,60}\b(hier|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|semaine derniere)\b|pourquoi (ma|mon|mes) .{0,30}(a|ont) (baisse|diminue|augmente|change))/;
const OPINION =
  /\b(tu (penses|crois|trouves|conseilles|peux me|pourrais me)|vous (pensez|croyez|conseillez)|selon (toi|vous)|a (ton|votre) avis|je devrais|ou je devrais|c'est (un )?bon|vaut-il mieux|m'ecrire|ecris-moi|ecrivez-moi|redige|traduis|traduire)\b/;
/** Offices that have local branches: "la CAF de <town>", "la mairie de <town>". */
const OFFICE =
  /\b(mairie|prefecture|sous-prefecture|caf|cpam|msa|carsat|urssaf|agence|bureau|antenne|tribunal|commissariat|gendarmerie|poste|hopital|centre des impots|sip|france travail|pole emploi|ville|commune|departement|region)\s+(?:de|d'|du|des|a)\s*(?:la |le |l')?(?=([a-z][a-z-]+(?: [a-z][a-z-]+)?))/g;
const LOCAL_NAME_DF = 30;

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));

/**
 * Capitalised words after the first word of each sentence (names of persons, towns, brands), except
 * after "à / en / au" (where the person goes or lives: a setting, not what is asked about).
 */
function namesIn(question: string): string[] {
  const out: string[] = [];
  for (const sentence of question.split(/[.!?\n]+/)) {
    const tokens = sentence.trim().split(/\s+/);
    for (const [i, t] of tokens.entries()) {
      if (i === 0 || /^(à|a|en|au|aux|vers|pour)$/i.test(tokens[i - 1])) continue;
      const w = t.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '').replace(/^\p{L}['’]/u, '');
      if (/^\p{Lu}\p{Ll}{2,}/u.test(w) || /^\p{Lu}{2,}$/u.test(w)) out.push(w);
    }
  }
  return out;
}

/** Measures the signals of one question against its results (the first 5 publications). */
export async function abstentionSignals(
  store: Store,
  question: string,
  hits: PublicationHit[],
  /** The search scope: the terms' rarity is the scope's (other organisations' documents do not count). */
  collectionIds?: string[],
): Promise<AbstentionSignals> {
  const terms = [...new Set(analyze(question))];
  const names = namesIn(question);
  const nameTerms = names.map((n) => analyze(n)[0]).filter((t): t is string => !!t);
  const folded = fold(question).replace(/[’]/g, "'");
  const placeTerms = [...folded.matchAll(OFFICE)].flatMap((m) => analyze(m[2]));
  const { chunks, df } = await store.search.termStats(
    [...new Set([...terms, ...nameTerms, ...placeTerms])],
    collectionIds,
  );
  const idf = (t: string) => Math.log(1 + chunks / ((df.get(t) ?? 0) + 1));
  const total = terms.reduce((s, t) => s + idf(t), 0);
  const share = (present: Set<string>, list: string[]) => {
    const all = list.reduce((s, t) => s + idf(t), 0);
    return all > 0 ? list.reduce((s, t) => s + (present.has(t) ? idf(t) : 0), 0) / all : 0;
  };
  const top = hits.slice(0, 3);
  const texts = top.map(
    (h) => new Set(analyze([h.title, h.description, ...h.passages.map((p) => p.text)].join('\n'))),
  );
  const known = terms.filter((t) => (df.get(t) ?? 0) > 0);
  const rare = [...known].sort((a, b) => idf(b) - idf(a)).slice(0, 3);
  const s1 = hits[0]?.score ?? 0;
  const s5 = hits[Math.min(4, hits.length - 1)]?.score ?? 0;
  return {
    coverage: Math.max(0, ...texts.map((p) => share(p, terms))),
    rare_coverage: rare.length ? Math.max(0, ...texts.map((p) => share(p, rare))) : 0,
    unknown_mass: total > 0 ? terms.filter((t) => !df.get(t)).reduce((s, t) => s + idf(t), 0) / total : 0,
    scarce_mass:
      total > 0
        ? terms.filter((t) => (df.get(t) ?? 0) <= SCARCE_DF).reduce((s, t) => s + idf(t), 0) / total
        : 0,
    title_coverage: hits[0] ? share(new Set(analyze(`${hits[0].title}\n${hits[0].description}`)), terms) : 0,
    top_score: total > 0 ? s1 / total : 0,
    margin: s1 > 0 ? clamp01((s1 - s5) / s1) : 0,
    unknown_names: nameTerms.filter((t) => (df.get(t) ?? 0) <= SCARCE_DF).length,
    realtime: REALTIME.test(folded) ? 1 : 0,
    here: HERE.test(folded) ? 1 : 0,
    local_office: placeTerms.some((t) => (df.get(t) ?? 0) <= LOCAL_NAME_DF) ? 1 : 0,
    own_file: OWN_FILE.test(folded) ? 1 : 0,
    opinion: OPINION.test(folded) ? 1 : 0,
    length: Math.log(1 + terms.length),
  };
}

export interface LogisticModel {
  /** Signal names, in the order of `weights`. */
  features: readonly string[];
  /** Standardisation: (x − mean) / scale, then the weights. */
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
  /** Refuse when the probability of "unanswerable" is at least this. */
  threshold: number;
}

/** Probability that the sources do not answer, under a logistic model. */
export function unanswerableProbability(model: LogisticModel, signals: AbstentionSignals): number {
  let z = model.bias;
  model.features.forEach((f, i) => {
    const x = signals[f as keyof AbstentionSignals] ?? 0;
    z += model.weights[i] * ((x - model.mean[i]) / (model.scale[i] || 1));
  });
  return 1 / (1 + Math.exp(-z));
}

export interface AbstentionJudgement {
  refuse: boolean;
  probability: number;
  signals: AbstentionSignals;
}

/** Whether the results should be refused as "no source" (the shipped, cross-validated model). */
export async function judgeAbstention(
  store: Store,
  question: string,
  hits: PublicationHit[],
  model: LogisticModel = ABSTENTION_MODEL,
  collectionIds?: string[],
): Promise<AbstentionJudgement> {
  const signals = await abstentionSignals(store, question, hits, collectionIds);
  if (hits.length === 0) return { refuse: true, probability: 1, signals };
  const probability = unanswerableProbability(model, signals);
  return { refuse: probability >= model.threshold, probability, signals };
}
