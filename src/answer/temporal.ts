import { fold } from '../knowledge/analyze/french.js';

/**
 * Temporal honesty: the built-in corpus is a snapshot (the service-public.fr fiches stop on a
 * given date). A question about an amount, a rule or a reform of a later year cannot be answered
 * from it, and the figure the sources do hold must never be presented as the current one.
 */

const MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

/** Years (1900–2099) a question names, in the order they appear. */
export function yearsIn(question: string): number[] {
  // A birth year ("né en 2021") says who the person is, not which rules are asked.
  const text = question.replace(/\bn[ée]e?s?\s+(?:en|le\s+[^,.;?!]{0,20}?)\s*(?:19|20)\d\d/giu, ' ');
  return [...text.matchAll(/(?<![\d,.])(19\d\d|20\d\d)(?![\d,.]*\s*(?:€|euros?\b))(?!\d)/g)].map((m) =>
    Number(m[1]),
  );
}

/** The latest year a question names after the corpus's newest fiche (null when none does). */
export function yearAfterCorpus(question: string, corpusDate: string | null): number | null {
  const corpusYear = corpusDate ? Number(corpusDate.slice(0, 4)) : NaN;
  if (!Number.isFinite(corpusYear)) return null;
  const later = yearsIn(question).filter((y) => y > corpusYear);
  return later.length ? Math.max(...later) : null;
}

/** "novembre 2020" for "2020-11-12" (the month and year people read). */
export function corpusMonth(corpusDate: string): string {
  const year = corpusDate.slice(0, 4);
  const month = Number(corpusDate.slice(5, 7));
  return month >= 1 && month <= 12 ? `${MONTHS[month - 1]} ${year}` : year;
}

/** Does the question ask for an amount (a figure), rather than a rule or a procedure? */
function asksAmount(question: string): boolean {
  return /\b(combien|montant|tarif|prix|taux|bareme|plafond|coute|cout)\b|€|\beuros?\b/.test(fold(question));
}

/**
 * The answer to a question about a year the sources do not reach: says plainly how old the
 * sources are and that the asked year is not in them. No figure is given.
 */
export function temporalAnswer(question: string, year: number, corpusDate: string): string {
  const what = asksAmount(question) ? `le montant ${year}` : `ce qui s'applique en ${year}`;
  return (
    `Les sources officielles dont je dispose datent de ${corpusMonth(corpusDate)} ; ${what} n'y figure pas. ` +
    `Je ne donne pas un chiffre ou une règle de ${corpusDate.slice(0, 4)} comme s'ils étaient encore en vigueur : ` +
    'vérifiez la version à jour sur service-public.fr ou auprès de l’organisme compétent.'
  );
}

/** Whether an answer says that its sources predate the year asked (evaluation of near-miss questions). */
export function saysSourcesPredate(answer: string, year: number): boolean {
  const f = fold(answer);
  return /\b(sources?|fiches?)\b[^.]*\bdate(nt)?\b/.test(f) && f.includes(String(year));
}
