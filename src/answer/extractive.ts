import { analyze } from '../knowledge/analyze/french.js';
import type { ChatDelta, ChatModel, ChatRequest, ChatResult } from '../models/spec.js';
import { BUILTIN_PROVIDER } from '../models/spec.js';
import type { Source } from './sources.js';
import { withStaleCaveat } from './stale-caveat.js';

export const EXTRACTIVE_MODEL_ID = 'extractive';

/** What the answer pipeline passes to the extractive model in `ChatRequest.extra`. */
export interface ExtractiveInput {
  guichet_sources?: Source[];
  guichet_query?: string;
}

export const EXTRACTIVE_PREAMBLE =
  'Extrait des sources officielles (réponse non rédigée par une IA générative : passages sélectionnés automatiquement, à vérifier) :';

interface Candidate {
  source: Source;
  position: number;
  text: string;
  score: number;
}

/** Plain sentences of a Markdown passage: no table rules, heading marks, emphasis or link targets. */
export function sentencesOf(markdown: string): string[] {
  const plain = markdown
    .replace(/^\(.*?\)\s*/, '')
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/^\s*\|?\s*:?-{3,}.*$/gm, '')
    .replace(/^#+\s*/gm, '')
    .replace(/[*_`>]+/g, '')
    .replace(/\|/g, ' ; ');
  return plain
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) =>
      s
        .replace(/\s+/g, ' ')
        .replace(/^[-•;\s]+/, '')
        .trim(),
    )
    .filter((s) => s.length >= 25 && s.length <= 600 && /\p{L}{3}/u.test(s));
}

function scoreCandidates(sources: Source[], query: string): Candidate[] {
  const queryTerms = new Set(analyze(query));
  const candidates: Candidate[] = [];
  for (const source of sources) {
    source.passages.flatMap(sentencesOf).forEach((text, position) => {
      candidates.push({ source, position, text, score: 0 });
    });
  }
  const df = new Map<string, number>();
  const termsOf = candidates.map((c) => new Set(analyze(c.text)));
  for (const terms of termsOf) for (const t of terms) df.set(t, (df.get(t) ?? 0) + 1);
  candidates.forEach((c, i) => {
    let s = 0;
    for (const t of queryTerms)
      if (termsOf[i].has(t)) s += Math.log(1 + candidates.length / (df.get(t) ?? 1));
    const rankPrior = 1 / (1 + 0.25 * (c.source.index - 1));
    const positionPrior = 1 / (1 + 0.05 * c.position);
    c.score = s * rankPrior * positionPrior;
  });
  return candidates;
}

/**
 * Picks the sentences that best match the question: the best sentence of each of the first five
 * sources, then the next best ones, at most `maxSentences`, in source order.
 */
export function extractAnswer(sources: Source[], query: string, maxSentences = 7): string {
  if (sources.length === 0) return '';
  const candidates = scoreCandidates(sources, query);
  const chosen: Candidate[] = [];
  const perSource = new Map<number, number>();
  const take = (c: Candidate) => {
    chosen.push(c);
    perSource.set(c.source.index, (perSource.get(c.source.index) ?? 0) + 1);
  };
  // Every retrieved source gets its best sentence: the advisor sees what each source says.
  for (const source of sources.slice(0, 5)) {
    const best = candidates.filter((c) => c.source === source).sort((a, b) => b.score - a.score)[0];
    if (best) take(best);
  }
  for (const c of [...candidates].sort((a, b) => b.score - a.score)) {
    if (chosen.length >= maxSentences) break;
    if (c.score <= 0 || chosen.includes(c) || (perSource.get(c.source.index) ?? 0) >= 2) continue;
    take(c);
  }
  chosen.sort((a, b) => a.source.index - b.source.index || a.position - b.position);
  const lines: string[] = [];
  let current = -1;
  for (const c of chosen) {
    const text = c.text.length > 300 ? `${c.text.slice(0, 300).replace(/\s+\S*$/, '')}…` : c.text;
    const sentence = /[.!?…]$/.test(text) ? text : `${text}.`;
    if (c.source.index !== current) {
      lines.push(`- **${c.source.title}** : ${sentence} [${c.source.index}]`);
      current = c.source.index;
    } else {
      lines[lines.length - 1] = lines[lines.length - 1].replace(
        / \[\d+\]$/,
        ` ${sentence} [${c.source.index}]`,
      );
    }
  }
  return `${EXTRACTIVE_PREAMBLE}\n\n${lines.join('\n')}\n\nConsultez les sources citées pour le détail et les cas particuliers.`;
}

const NO_SOURCE_GIVEN =
  'Le modèle « extractive » ne rédige pas de réponse : il sélectionne des passages des sources trouvées. Aucune source ne lui a été fournie ; utilisez le modèle « guichet » pour une réponse fondée sur les sources.';

/** The built-in model that needs no LLM: it extracts sentences from the sources it is given. */
export class ExtractiveModel implements ChatModel {
  readonly id = EXTRACTIVE_MODEL_ID;
  readonly provider = BUILTIN_PROVIDER;
  readonly local = true;

  private answer(req: ChatRequest): string {
    const extra = (req.extra ?? {}) as ExtractiveInput;
    const sources = Array.isArray(extra.guichet_sources) ? extra.guichet_sources : [];
    if (sources.length === 0) return NO_SOURCE_GIVEN;
    const query =
      extra.guichet_query ?? [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    return withStaleCaveat(extractAnswer(sources, query), sources);
  }

  async complete(req: ChatRequest): Promise<ChatResult> {
    req.signal.throwIfAborted();
    const text = this.answer(req);
    return { text, finishReason: 'stop', usage: usageOf(req, text) };
  }

  async *stream(req: ChatRequest): AsyncIterable<ChatDelta> {
    req.signal.throwIfAborted();
    const text = this.answer(req);
    for (const piece of text.match(/[^\n]*\n*|[^\n]+$/g) ?? [text]) {
      if (!piece) continue;
      req.signal.throwIfAborted();
      yield { type: 'text', text: piece };
    }
    yield { type: 'finish', finishReason: 'stop', usage: usageOf(req, text) };
  }
}

function usageOf(req: ChatRequest, text: string) {
  const prompt = req.messages.reduce((n, m) => n + m.content.length, 0);
  return { promptTokens: Math.ceil(prompt / 4), completionTokens: Math.ceil(text.length / 4) };
}
