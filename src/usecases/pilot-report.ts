/**
 * The pilot's figures, per ISO week, from the questions asked in conversations (the web UI: the
 * only place where the question, the answer, its sources and the agent's feedback are kept) — see
 * ARCHITECTURE.md. An exchange is a question with the answer that follows it; it belongs to the
 * week (and the service) of the question.
 */
import { toCsv } from '../shared/csv.js';
import { isStale } from '../knowledge/freshness.js';
import { maskPersonalData } from '../privacy/mask.js';
import { AppError } from '../shared/errors.js';
import type { Feedback, PilotMessage } from '../store/privacy-spec.js';
import type { Store } from '../store/spec.js';
import { citedSources } from './manage-conversations.js';

/** How many sources, tags and unanswered questions each list keeps. */
export const PILOT_TOP = 10;

export interface PilotFigures {
  questions: number;
  /** Questions that got an answer (complete or not). */
  answered: number;
  /** Answers that were the fixed "no source" refusal. */
  refused: number;
  /** refused / questions (0 without questions). */
  refusedShare: number;
  /** Answers whose latest feedback (per person) is negative at least once. */
  negative: number;
  /** negative / answered (0 without answers). */
  negativeShare: number;
  negativeTags: { tag: string; count: number }[];
  topSources: { title: string; url: string | null; count: number }[];
  /** Citations of sources older than `knowledge.stale_after_months` (as of the report). */
  staleCitations: number;
  staleSources: { title: string; url: string | null; date: string | null; count: number }[];
  /** Refused questions, personal data replaced by placeholders, most asked first. */
  unanswered: { question: string; count: number }[];
}

export interface PilotWeek extends PilotFigures {
  /** ISO week, `2026-W49`. */
  week: string;
  /** Its Monday, `YYYY-MM-DD`. */
  start: string;
}

export interface PilotReport {
  orgId: string;
  serviceId: string | null;
  /** Days, both included (`YYYY-MM-DD`). */
  from: string;
  to: string;
  /** Pilot start of the organisation and of the service asked for (null: not in pilot). */
  orgPilotSince: string | null;
  servicePilotSince: string | null;
  staleAfterMonths: number;
  weeks: PilotWeek[];
  totals: PilotFigures;
}

interface Exchange {
  at: string;
  question: string;
  answer: PilotMessage | null;
  feedback: Feedback[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MS_DAY = 86_400_000;

/** A day `YYYY-MM-DD` (a real date) at 00:00 UTC; anything else is a 400 naming `param`. */
export function day(value: string, param: string): Date {
  const d = new Date(`${value}T00:00:00Z`);
  if (!DAY.test(value) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value)
    throw new AppError('invalid_request', `Date invalide (attendu AAAA-MM-JJ) : ${value}`, { param });
  return d;
}

/** The ISO week of an instant: its label and its Monday. */
export function isoWeek(at: string | Date): { week: string; start: string } {
  const d = new Date(typeof at === 'string' ? at : at.getTime());
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const monday = new Date(midnight - weekday * MS_DAY);
  const thursday = new Date(monday.getTime() + 3 * MS_DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * MS_DAY)) + 1;
  return { week: `${year}-W${String(week).padStart(2, '0')}`, start: monday.toISOString().slice(0, 10) };
}

const share = (n: number, of: number) => (of ? Math.round((n / of) * 10_000) / 10_000 : 0);

function top<T>(counts: Map<string, { item: T; count: number }>): (T & { count: number })[] {
  return [...counts.values()]
    .sort((a, b) => b.count - a.count)
    .slice(0, PILOT_TOP)
    .map((c) => ({ ...c.item, count: c.count }));
}

function bump<T>(counts: Map<string, { item: T; count: number }>, key: string, item: T): void {
  const c = counts.get(key);
  if (c) c.count++;
  else counts.set(key, { item, count: 1 });
}

/** The latest feedback of each person on an answer. */
function latestPerPerson(feedback: Feedback[]): Feedback[] {
  const by = new Map<string, Feedback>();
  for (const f of feedback) {
    const prev = by.get(f.userId ?? '');
    if (!prev || prev.createdAt <= f.createdAt) by.set(f.userId ?? '', f);
  }
  return [...by.values()];
}

/** Refused questions as shown: one line, personal data masked (each distinct text masked once). */
function questionMasker(): (q: string) => string {
  const done = new Map<string, string>();
  return (q) => {
    let m = done.get(q);
    if (m === undefined) {
      m = maskPersonalData(q.replace(/\s+/g, ' ').trim()).slice(0, 300);
      done.set(q, m);
    }
    return m;
  };
}

export function pilotFigures(
  exchanges: Exchange[],
  staleAfterMonths: number,
  now: Date,
  mask: (question: string) => string = questionMasker(),
): PilotFigures {
  const tags = new Map<string, { item: { tag: string }; count: number }>();
  const sources = new Map<string, { item: { title: string; url: string | null }; count: number }>();
  const stale = new Map<
    string,
    { item: { title: string; url: string | null; date: string | null }; count: number }
  >();
  const unanswered = new Map<string, { item: { question: string }; count: number }>();
  let answered = 0;
  let refused = 0;
  let negative = 0;
  let staleCitations = 0;
  for (const x of exchanges) {
    if (!x.answer) continue;
    answered++;
    if (x.answer.noSource) {
      refused++;
      const question = mask(x.question);
      bump(unanswered, question.toLowerCase(), { question });
    }
    const bad = latestPerPerson(x.feedback).filter((f) => f.rating < 0);
    if (bad.length) {
      negative++;
      for (const tag of new Set(bad.flatMap((f) => f.tags))) bump(tags, tag, { tag });
    }
    for (const s of citedSources(x.answer.citations)) {
      const key = s.url ?? s.title;
      bump(sources, key, { title: s.title, url: s.url });
      if (isStale(s.date, staleAfterMonths, now)) {
        staleCitations++;
        bump(stale, key, { title: s.title, url: s.url, date: s.date });
      }
    }
  }
  return {
    questions: exchanges.length,
    answered,
    refused,
    refusedShare: share(refused, exchanges.length),
    negative,
    negativeShare: share(negative, answered),
    negativeTags: top(tags),
    topSources: top(sources),
    staleCitations,
    staleSources: top(stale),
    unanswered: top(unanswered),
  };
}

/** Questions with the answer that follows each one (rows come by conversation, in order). */
function exchangesOf(messages: PilotMessage[], feedback: Feedback[]): Exchange[] {
  const byMessage = new Map<string, Feedback[]>();
  for (const f of feedback) byMessage.set(f.messageId, [...(byMessage.get(f.messageId) ?? []), f]);
  const out: Exchange[] = [];
  messages.forEach((m, i) => {
    if (m.role !== 'user') return;
    const next = messages[i + 1];
    const answer =
      next && next.conversationId === m.conversationId && next.role === 'assistant' ? next : null;
    out.push({
      at: m.createdAt,
      question: m.content,
      answer,
      feedback: answer ? (byMessage.get(answer.id) ?? []) : [],
    });
  });
  return out;
}

export interface PilotReportOptions {
  store: Store;
  orgId: string;
  /** Days `YYYY-MM-DD`, both included; defaults: the pilot's start (or 8 weeks ago) to today. */
  from?: string;
  to?: string;
  serviceId?: string;
  staleAfterMonths: number;
  now?: Date;
}

export async function pilotReport(o: PilotReportOptions): Promise<PilotReport> {
  const now = o.now ?? new Date();
  const services = o.store.accounts.services;
  const service = o.serviceId ? await services.get(o.serviceId) : null;
  if (o.serviceId && service?.orgId !== o.orgId)
    throw new AppError('not_found', `Service introuvable : ${o.serviceId}`, { param: 'service' });
  const orgPilotSince = await services.orgPilot(o.orgId);
  const today = now.toISOString().slice(0, 10);
  const from =
    o.from ??
    service?.pilotSince ??
    orgPilotSince ??
    new Date(now.getTime() - 55 * MS_DAY).toISOString().slice(0, 10);
  const to = o.to ?? today;
  const start = day(from, 'from');
  const end = new Date(day(to, 'to').getTime() + MS_DAY);
  if (end <= start)
    throw new AppError('invalid_request', 'La fin de la période précède son début.', { param: 'to' });
  if (end.getTime() - start.getTime() > 731 * MS_DAY)
    throw new AppError('invalid_request', 'Période trop longue (deux ans au plus).', { param: 'from' });
  const rows = await o.store.conversations.pilotRows({
    orgId: o.orgId,
    from: start.toISOString(),
    to: end.toISOString(),
    serviceId: o.serviceId,
  });
  const exchanges = exchangesOf(rows.messages, rows.feedback);
  const byWeek = new Map<string, { start: string; list: Exchange[] }>();
  for (const x of exchanges) {
    const w = isoWeek(x.at);
    const entry = byWeek.get(w.week) ?? { start: w.start, list: [] };
    entry.list.push(x);
    byWeek.set(w.week, entry);
  }
  const mask = questionMasker();
  const weeks = [...byWeek]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([week, w]) => ({ week, start: w.start, ...pilotFigures(w.list, o.staleAfterMonths, now, mask) }));
  return {
    orgId: o.orgId,
    serviceId: o.serviceId ?? null,
    from,
    to,
    orgPilotSince,
    servicePilotSince: service?.pilotSince ?? null,
    staleAfterMonths: o.staleAfterMonths,
    weeks,
    totals: pilotFigures(exchanges, o.staleAfterMonths, now, mask),
  };
}

/** The compared figures of two periods, and B − A for each count and share. */
export const COMPARED_FIGURES = [
  'questions',
  'answered',
  'refused',
  'refusedShare',
  'negative',
  'negativeShare',
  'staleCitations',
] as const;

export function comparePilot(
  a: PilotReport,
  b: PilotReport,
): Record<(typeof COMPARED_FIGURES)[number], number> {
  const out = {} as Record<(typeof COMPARED_FIGURES)[number], number>;
  for (const k of COMPARED_FIGURES) out[k] = Math.round((b.totals[k] - a.totals[k]) * 10_000) / 10_000;
  return out;
}

const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const pct = (x: number) => `${String(Math.round(x * 1000) / 10).replace('.', ',')} %`;

/** One line per week (and the whole period), `;`-separated with a BOM, as French spreadsheets expect. */
export function pilotCsv(r: PilotReport): string {
  const head = [
    'Semaine',
    'Début',
    'Questions',
    'Réponses',
    'Refus (aucune source)',
    'Part refusée',
    'Avis négatifs',
    'Part d’avis négatifs',
    'Étiquettes des avis négatifs',
    'Sources les plus citées',
    'Citations de sources anciennes',
    'Sources anciennes citées',
    'Questions sans réponse (pseudonymisées)',
  ];
  const line = (week: string, start: string, f: PilotFigures) =>
    [
      week,
      start,
      f.questions,
      f.answered,
      f.refused,
      pct(f.refusedShare),
      f.negative,
      pct(f.negativeShare),
      f.negativeTags.map((t) => `${t.tag} (${t.count})`).join(', '),
      f.topSources.map((s) => `${s.title} (${s.count})`).join(' | '),
      f.staleCitations,
      f.staleSources.map((s) => `${s.title} [${s.date ?? '?'}] (${s.count})`).join(' | '),
      f.unanswered.map((q) => `${q.question} (${q.count})`).join(' | '),
    ].map(cell);
  // Questions typed by people are cells too: the shared writer neutralises formulas (CSV injection).
  return toCsv([
    head,
    ...r.weeks.map((w) => line(w.week, w.start, w)),
    line('Total', `${r.from} au ${r.to}`, r.totals),
  ]);
}
