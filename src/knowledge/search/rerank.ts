import { analyze } from '../analyze/french.js';

/** One publication to re-score: what a reader of its result card sees. */
export interface RerankCandidate {
  title: string;
  description: string;
  /** Its best passages (text as stored). */
  passages: string[];
  /** The first-stage score (BM25 aggregated per publication, kind prior applied). */
  score: number;
  /** An organisation's own document (pseudonymised before a remote reranker, as for answers). */
  private?: boolean;
}

/**
 * Re-scores the first publications of a search. Returns one score per candidate, in their order;
 * the caller sorts. An implementation may call out (the `/v1/rerank` of a provider): it then
 * receives the question already pseudonymised by the caller when it leaves the premises.
 */
export interface Reranker {
  readonly name: string;
  rerank(query: string, candidates: RerankCandidate[], signal?: AbortSignal): Promise<number[]>;
}

export type TermStatsFn = (terms: string[]) => Promise<{ chunks: number; df: Map<string, number> }>;

/**
 * How the built-in lexical reranker weighs what a publication shows: the IDF-weighted share of the
 * question's terms found in its title and description plus its best passages (`coverage`), and in
 * its title alone (`title`). Chosen on both dev sets (docs/adr/0002).
 */
export interface LexicalRerankWeights {
  coverage: number;
  title: number;
}

export const LEXICAL_RERANK_WEIGHTS: LexicalRerankWeights = { coverage: 2, title: 1 };

/**
 * The built-in reranker: no model. A publication's first-stage score is multiplied by
 * exp(w_c·(coverage − 1) + w_t·(title − 1)), where coverage is the IDF share of the question's
 * terms it shows as a whole (title, description, best passages) — a publication whose pieces
 * together answer every part of the question rises above one that repeats one term — and title the
 * same share in its title alone. Same inputs on every store engine: same order on all of them.
 */
export class LexicalReranker implements Reranker {
  readonly name = 'lexical';

  constructor(
    private readonly termStats: TermStatsFn,
    private readonly weights: LexicalRerankWeights = LEXICAL_RERANK_WEIGHTS,
  ) {}

  async rerank(query: string, candidates: RerankCandidate[]): Promise<number[]> {
    const terms = [...new Set(analyze(query))];
    if (terms.length === 0 || candidates.length === 0) return candidates.map((c) => c.score);
    const { chunks, df } = await this.termStats(terms);
    const idf = terms.map((t) => Math.log(1 + chunks / ((df.get(t) ?? 0) + 1)));
    const total = idf.reduce((a, b) => a + b, 0);
    const share = (present: Set<string>) =>
      total > 0 ? terms.reduce((s, t, i) => s + (present.has(t) ? idf[i] : 0), 0) / total : 0;
    return candidates.map((c) => {
      const title = new Set(analyze(c.title));
      const all = new Set([...title, ...analyze(c.description), ...c.passages.flatMap((p) => analyze(p))]);
      const z = this.weights.coverage * (share(all) - 1) + this.weights.title * (share(title) - 1);
      return c.score * Math.exp(z);
    });
  }
}

/** Scores texts for a query (a provider's `/v1/rerank`), in the order of the texts. */
export type RerankCall = (query: string, documents: string[], signal?: AbortSignal) => Promise<number[]>;

/** Characters of a publication sent to a remote reranker (title, description, best passages). */
const MAX_DOCUMENT_CHARS = 2000;

/**
 * A reranker model behind an OpenAI-compatible or Albert API provider (`/v1/rerank`). What leaves
 * the premises goes through `pseudonymise` first when given (the question and an organisation's own
 * documents, as for answers; the national corpus is public). Candidates keep their first-stage
 * order on ties; a candidate the model did not score stays below. A failure is thrown: the caller
 * keeps the first stage's order (`src/usecases/retriever.ts`).
 */
export class HttpReranker implements Reranker {
  readonly name: string;

  constructor(
    private readonly call: RerankCall,
    private readonly options: { name?: string; pseudonymise?: (text: string) => string } = {},
  ) {
    this.name = options.name ?? 'http';
  }

  async rerank(query: string, candidates: RerankCandidate[], signal?: AbortSignal): Promise<number[]> {
    if (candidates.length === 0) return [];
    const out = this.options.pseudonymise ?? ((t: string) => t);
    const documents = candidates.map((c) => {
      const text = [c.title, c.description, ...c.passages].join('\n').slice(0, MAX_DOCUMENT_CHARS);
      return c.private ? out(text) : text;
    });
    const scores = await this.call(out(query), documents, signal);
    // Ranked by the model's score; a candidate it did not score stays below, in first-stage order.
    const order = candidates
      .map((c, i) => ({ i, s: scores[i] ?? Number.NEGATIVE_INFINITY }))
      .sort((a, b) => b.s - a.s || a.i - b.i);
    const result = new Array<number>(candidates.length);
    order.forEach(({ i }, rank) => (result[i] = candidates.length - rank));
    return result;
  }
}
