import { analyze } from '../knowledge/analyze/french.js';
import { queryTerms } from '../knowledge/search/query.js';
import type { ChatDelta, ChatModel, ChatRequest, ChatResult } from '../models/spec.js';
import { BUILTIN_PROVIDER } from '../models/spec.js';
import { divergence, SITUATION } from './extract/cases.js';
import {
  HAS_AMOUNT,
  HAS_DELAY,
  HAS_PLACE,
  hasCondition,
  type Intent,
  intentOf,
  numberFit,
  numbersIn,
} from './extract/intent.js';
import { OPEN_END, plainInline, splitSentences, type Unit, unitsOf } from './extract/units.js';
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

const CLOSING = 'Consultez les sources citées pour le détail et les cas particuliers.';
const CASES_CLOSING =
  "La réponse dépend de la situation de l'usager : précisez-la pour une réponse ciblée, et consultez les sources citées pour le détail.";

/** At most this many units are chosen (a list brought by one of its items counts once). */
const MAX_UNITS = 7;

interface Scored {
  source: Source;
  unit: Unit;
  terms: Set<string>;
  score: number;
  /** `quotable` (computed once). */
  ok: boolean;
  /** Other sources saying the same thing: cited with it. */
  also?: Set<number>;
}

const foldText = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\d]+/gu, ' ')
    .toLowerCase()
    .trim();

/** Whether a unit can be quoted as it stands: whole, not a title, not navigation. */
export function quotable(unit: Unit, source: Source): boolean {
  if (!unit.quotable) return false;
  const text = unit.text;
  if (text.length < 20 || text.length > 480) return false;
  if (!/\p{Ll}{3}/u.test(text)) return false; // a heading in capitals, a bare code
  if (/voir aussi|→/i.test(text)) return false;
  // A title or heading repeated as text (compared only when the lengths are close).
  const near = (other: string) =>
    Math.abs(other.length - text.length) <= 3 && foldText(other) === foldText(text);
  if (near(source.title) || near(unit.heading) || unit.path.some(near)) return false;
  // Cut by the passage's edges: starts inside a sentence, or stops inside a phrase.
  if (unit.kind === 'sentence' && /^\p{Ll}/u.test(text)) return false;
  const body = text.replace(/[.;:!?…]+$/, '').trim();
  if (!unit.intro && unit.kind !== 'record' && OPEN_END.test(body)) return false;
  return true;
}

/** Analyzed terms of recent texts (units and their contexts repeat from question to question). */
const TERMS = new Map<string, Set<string>>();
function termsOf(text: string): Set<string> {
  let terms = TERMS.get(text);
  if (!terms) {
    if (TERMS.size >= 20_000) TERMS.delete(TERMS.keys().next().value!);
    TERMS.set(text, (terms = new Set(analyze(text))));
  }
  return terms;
}

function score(sources: Source[], terms: Set<string>, intent: Intent): Scored[] {
  const all: Scored[] = [];
  for (const source of sources) {
    for (const unit of unitsOf(source.passages)) {
      const ok = quotable(unit, source);
      all.push({ source, unit, terms: ok ? termsOf(unit.text) : new Set(), score: 0, ok });
    }
  }
  const df = new Map<string, number>();
  for (const s of all) for (const t of s.terms) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log(1 + all.length / (df.get(t) ?? 1));
  for (const s of all) {
    if (!s.ok) continue;
    const ctx = termsOf(s.unit.context);
    const title = termsOf(s.source.title);
    let x = 0;
    for (const t of terms) {
      if (s.terms.has(t)) x += idf(t);
      else if (ctx.has(t)) x += 0.4 * idf(t);
      else if (title.has(t)) x += 0.2 * idf(t);
    }
    if (x === 0) continue;
    const text = s.unit.text;
    if (intent.amount && HAS_AMOUNT.test(text)) x *= 1.7;
    if (intent.delay && HAS_DELAY.test(text)) x *= 1.6;
    if (intent.place && HAS_PLACE.test(text)) x *= 1.6;
    if (intent.condition && hasCondition(text)) x *= 1.5;
    if ((intent.procedure || intent.documents) && s.unit.kind === 'item') x *= 1.3;
    x *= numberFit(text, intent.numbers);
    if (s.unit.intro) x *= 0.7;
    const rankPrior = 1 / (1 + 0.25 * (s.source.index - 1));
    const positionPrior = 1 / (1 + 0.01 * s.unit.order);
    s.score = x * rankPrior * positionPrior;
  }
  // The section that answers best also holds the rest of the answer (the condition after the amount).
  const bestBySource = new Map<Source, Scored>();
  for (const s of all) {
    const b = bestBySource.get(s.source);
    if (s.score > 0 && (!b || s.score > b.score)) bestBySource.set(s.source, s);
  }
  for (const s of all) {
    const b = bestBySource.get(s.source);
    if (b && b !== s && s.score > 0 && s.unit.context === b.unit.context) s.score *= 1.4;
  }
  return all;
}

/** Near-duplicates: the same words, give or take a few. */
function sameContent(a: Set<string>, b: Set<string>): boolean {
  if (!a.size || !b.size) return false;
  let common = 0;
  for (const t of a) if (b.has(t)) common++;
  return common / Math.max(a.size, b.size) >= 0.85;
}

/** Near-duplicates differ in no figure: "coûte 17 €" and "coûte 8,5 €" are two facts. */
function sameNumbers(a: string, b: string): boolean {
  return numbersIn(a).join(' ') === numbersIn(b).join(' ');
}

function sentence(text: string): string {
  const t = text.replace(/\s*[;,]$/, '').trim();
  return /[.!?…:]$/.test(t) ? t : `${t}.`;
}

/**
 * Picks the units that answer the question: the best of each of the first sources, then the
 * next best ones; an item brings its list's intro (steps and papers: the whole list, in the
 * source's order); no unit twice; cases side by side when the answer depends on the situation.
 */
export function extractAnswer(sources: Source[], query: string): string {
  if (sources.length === 0) return '';
  const intent = intentOf(query);
  const terms = new Set(queryTerms(query));
  const all = score(sources, terms, intent);
  const ranked = all.filter((s) => s.score > 0).sort((a, b) => b.score - a.score);
  const best = ranked[0]?.score ?? 0;
  const chosen: Scored[] = [];
  const perSource = new Map<number, number>();
  const primary = ranked[0]?.source.index;
  const take = (s: Scored): boolean => {
    if (chosen.includes(s)) return false;
    const same = chosen.find(
      (c) =>
        foldText(c.unit.text) === foldText(s.unit.text) ||
        (sameContent(c.terms, s.terms) && sameNumbers(c.unit.text, s.unit.text)),
    );
    if (same) {
      if (same.source !== s.source) (same.also ??= new Set()).add(s.source.index);
      return false;
    }
    chosen.push(s);
    perSource.set(s.source.index, (perSource.get(s.source.index) ?? 0) + 1);
    return true;
  };
  // Every source that says something to the point gets its best unit not already said.
  for (const source of sources.slice(0, 5)) {
    for (const s of ranked) {
      if (s.score < best * 0.15) break;
      if (s.source === source && take(s)) break;
    }
  }
  for (const s of ranked) {
    if (chosen.length >= MAX_UNITS || s.score < best * 0.3) break;
    if ((perSource.get(s.source.index) ?? 0) >= (s.source.index === primary ? 3 : 2)) continue;
    take(s);
  }
  // The fact asked: when nothing chosen states it, the best unit of the first sources that does.
  const wanted = [
    intent.amount && HAS_AMOUNT,
    intent.delay && HAS_DELAY,
    intent.place && HAS_PLACE,
    intent.condition && { test: hasCondition },
  ].filter((x): x is { test(text: string): boolean } => typeof x === 'object' && x !== null);
  for (const feature of wanted) {
    if (chosen.some((c) => feature.test(c.unit.text))) continue;
    const found = ranked.find((s) => s.source.index <= 2 && feature.test(s.unit.text));
    if (found) take(found);
  }
  const blocks = toBlocks(chosen, all, terms, intent);
  const cases = caseBlock(ranked, terms, intent);
  // No sentence twice: the same text in two fiches, two lists or two cases is said once.
  const said = new Set<string>();
  const fresh = (text: string): string => {
    const kept = splitSentences(text).filter((x) => {
      const key = foldText(x);
      if (key.length < 12) return true;
      if (said.has(key)) return false;
      said.add(key);
      return true;
    });
    return kept.some((x) => foldText(x).length >= 12) ? kept.join(' ') : '';
  };
  const lines: string[] = [];
  for (const b of blocks) {
    const title = plainInline(b.source.title);
    const cite0 = `[${b.source.index}]`;
    if (cases && b.source === cases.source) {
      lines.push(`- **${title}** — selon la situation ${cite0} :`);
      for (const c of cases.cases) {
        const text = fresh(c.text);
        if (text) lines.push(`  - *${c.label}* : ${text}`);
      }
      continue;
    }
    let lists = b.lists
      .map((l) => ({ ...l, texts: l.items.map((s) => fresh(display(s, terms, intent))).filter(Boolean) }))
      .filter((l) => l.texts.length > 0);
    // Other sources that say what is quoted (only what is still said after removing repeats).
    const also = new Set<number>();
    const leadTexts = b.lead.map((l) => {
      const text = fresh(l.text);
      if (text) for (const i of l.also ?? []) if (i !== b.source.index) also.add(i);
      return text;
    });
    const cite = [b.source.index, ...[...also].sort((x, y) => x - y)].map((i) => `[${i}]`).join('');
    let lead = leadTexts.filter(Boolean).join(' ');
    if (!lead && lists.length === 0) continue;
    if (!lead && lists.length === 1 && lists[0].intro) {
      lead = sentence(lists[0].intro.unit.text);
      lists = [{ ...lists[0], intro: undefined }];
    }
    lines.push(lead ? `- **${title}** : ${lead} ${cite}` : `- **${title}** ${cite} :`);
    for (const list of lists) {
      let indent = '  ';
      if (list.intro) {
        lines.push(`  - ${sentence(list.intro.unit.text)}`);
        indent = '    ';
      }
      list.texts.forEach((text, i) => lines.push(`${indent}${list.ordered ? `${i + 1}.` : '-'} ${text}`));
    }
  }
  return `${EXTRACTIVE_PREAMBLE}\n\n${lines.join('\n')}\n\n${cases ? CASES_CLOSING : CLOSING}`;
}

interface List {
  intro?: Scored;
  items: Scored[];
  ordered: boolean;
}

interface Block {
  source: Source;
  /** Sentences in the source's order (a list's intro and its one chosen item make one). */
  lead: { text: string; also?: Set<number> }[];
  lists: List[];
}

/** What a unit reads as in the answer: a record shows its name and the fields that matter. */
function display(s: Scored, terms: Set<string>, intent: Intent): string {
  const fields = s.unit.fields;
  let text = s.unit.text;
  if (fields && fields.length > 3) {
    const named = fields.findIndex((f) => /^(?:nom|name|titre|intitul|libell|service|tranche)/i.test(f.key));
    const rank = (f: { key: string; value: string }, i: number): number => {
      if (/^(?:id|identifiant|uuid|code)$/i.test(f.key)) return 0;
      if (i === named || (named < 0 && i === 0)) return 4;
      if (analyze(`${f.key} ${f.value}`).some((t) => terms.has(t))) return 3;
      if (numberFit(f.value, intent.numbers) > 1) return 3;
      if ((intent.place && HAS_PLACE.test(f.value)) || (intent.amount && HAS_AMOUNT.test(f.value))) return 1;
      return 0;
    };
    const ranks = fields.map(rank);
    const kept = new Set(
      fields
        .map((_, i) => i)
        .filter((i) => ranks[i] > 0)
        .sort((a, b) => ranks[b] - ranks[a] || a - b)
        .slice(0, 5),
    );
    text = fields
      .filter((_, i) => kept.has(i))
      .map((f) => (f.key ? `${f.key} : ${f.value}` : f.value))
      .join(' ; ');
  }
  // A heading that carries the fact asked (an amount, a duration, hours) labels the sentence.
  const h = s.unit.heading;
  if (
    h &&
    s.unit.kind === 'sentence' &&
    h.length <= 80 &&
    !foldText(text).includes(foldText(h)) &&
    ((intent.amount && HAS_AMOUNT.test(h)) ||
      (intent.delay && HAS_DELAY.test(h)) ||
      (intent.place && HAS_PLACE.test(h)))
  )
    text = `${h.replace(/[.:]$/, '')} : ${text}`;
  return sentence(text);
}

/** Chosen units grouped by source; list items bring their intro (or, for steps, their whole list). */
function toBlocks(chosen: Scored[], all: Scored[], terms: Set<string>, intent: Intent): Block[] {
  const blocks: Block[] = [];
  const bySource = new Map<number, Scored[]>();
  for (const s of chosen) bySource.set(s.source.index, [...(bySource.get(s.source.index) ?? []), s]);
  for (const [, picked] of [...bySource].sort((a, b) => a[0] - b[0])) {
    const source = picked[0].source;
    const units = all.filter((s) => s.source === source);
    const introOf = (list: number): Scored | undefined => {
      const first = units.find((s) => s.unit.list === list);
      const before = first ? units.find((s) => s.unit.order === first.unit.order - 1) : undefined;
      return before?.unit.intro && before.ok ? before : undefined;
    };
    const itemsOf = (list: number) => units.filter((s) => s.unit.list === list && s.ok);
    const lists = new Map<number, List>();
    const text: Scored[] = [];
    for (const s of [...picked].sort((a, b) => a.unit.order - b.unit.order)) {
      if (s.unit.kind === 'item') {
        const list = lists.get(s.unit.list) ?? {
          intro: introOf(s.unit.list),
          items: [],
          ordered: s.unit.ordered,
        };
        lists.set(s.unit.list, list);
        if (!list.items.includes(s)) list.items.push(s);
        // Steps or papers asked: the whole list, in the source's order.
        if (intent.procedure || intent.documents || s.unit.ordered)
          list.items = itemsOf(s.unit.list).slice(0, 8);
      } else if (s.unit.intro) {
        const next = units.find((u) => u.unit.order === s.unit.order + 1);
        if (next?.unit.kind !== 'item') continue; // an intro without its list says nothing
        const list = lists.get(next.unit.list) ?? { intro: s, items: [], ordered: next.unit.ordered };
        list.items = itemsOf(next.unit.list).slice(0, 8);
        lists.set(next.unit.list, list);
      } else text.push(s);
    }
    const lead = text.map((s) => ({ order: s.unit.order, text: display(s, terms, intent), also: s.also }));
    const long: List[] = [];
    for (const list of lists.values()) {
      const items = list.items.filter((s) => !text.includes(s)).sort((a, b) => a.unit.order - b.unit.order);
      if (items.length === 0) continue;
      if (items.length === 1) {
        const intro = list.intro ? `${sentence(list.intro.unit.text)} ` : '';
        lead.push({
          order: items[0].unit.order,
          text: `${intro}${display(items[0], terms, intent)}`,
          also: items[0].also,
        });
      } else long.push({ ...list, items });
    }
    lead.sort((a, b) => a.order - b.order);
    if (lead.length || long.length) blocks.push({ source, lead, lists: long });
  }
  return blocks;
}

interface CaseChoice {
  source: Source;
  cases: { label: string; text: string; score: number; order: number }[];
}

/**
 * When the best source answers differently by situation (its best passages sit under sibling
 * case headings) and the question names none of them, the two or three main cases, each with
 * its best unit, instead of one case quoted as if it were general.
 */
function caseBlock(ranked: Scored[], terms: Set<string>, intent: Intent): CaseChoice | null {
  // The best fiche: the first source (the search's ranking), by its best unit.
  const top = ranked.find((s) => s.source.index === 1);
  if (!top || top.unit.path.length === 0) return null;
  const source = top.source;
  const scored = ranked.filter((s) => s.source === source && s.unit.path.length > 0);
  const depth = divergence(scored.map((s) => s.unit.path));
  if (depth < 0) return null;
  const byLabel = new Map<string, Scored>();
  for (const s of scored) {
    const label = s.unit.path[depth];
    if (label && !byLabel.has(label)) byLabel.set(label, s);
  }
  if (byLabel.size < 2) return null;
  // Situations, not chapters: the same sub-headings under each label, or labels worded as situations.
  const tails = [...byLabel.values()].map((s) => s.unit.path.slice(depth + 1).join('›'));
  const sameTails = new Set(tails).size < tails.length && tails.some(Boolean);
  if (!sameTails && ![...byLabel.keys()].every((l) => SITUATION.test(l))) return null;
  // A question that names one case (its words) is answered in that case: no case list.
  const hits = [...byLabel.keys()].map((l) => analyze(l).filter((t) => terms.has(t)).length);
  const most = Math.max(...hits);
  if (most > 0 && hits.filter((h) => h === most).length === 1) return null;
  const cases = [...byLabel]
    .map(([label, unit]) => ({
      label: plainInline(label),
      text: display(unit, terms, intent),
      score: unit.score,
      order: unit.unit.order,
    }))
    .filter((c) => c.score >= top.score * 0.35)
    .slice(0, 3)
    .sort((a, b) => a.order - b.order);
  // Cases that say the same thing are not different cases.
  if (new Set(cases.map((c) => foldText(c.text))).size < cases.length) return null;
  return cases.length >= 2 ? { source, cases } : null;
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
