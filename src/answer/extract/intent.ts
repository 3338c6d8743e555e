/**
 * What a counter question asks (an amount, a delay, a procedure, a place or hours, documents) and
 * the numbers it gives, and the matching features of a unit of text. General French patterns only.
 */

export interface Intent {
  amount: boolean;
  delay: boolean;
  procedure: boolean;
  place: boolean;
  documents: boolean;
  /** Who is entitled, under which condition (a ceiling, an age, a status). */
  condition: boolean;
  /** Numbers the question gives (a quotient, an age, an amount, a year). */
  numbers: number[];
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[’‘]/g, "'").toLowerCase();

const DURATION_WORDS = '(?:temps|jours?|mois|semaines?|heures?|ans|annees?|minutes?|trimestres?)';

export function intentOf(question: string): Intent {
  const q = fold(question);
  const delay = new RegExp(
    `\\b(?:quand|delais?|date|dates|duree|jusqu'a quand|a partir de quand|combien de ${DURATION_WORDS}|dans combien|a quel moment|quel jour|des que|combien d'${DURATION_WORDS})\\b`,
  ).test(q);
  const amountWords =
    /\b(?:combien|cout|coute|coutent|couter|prix|montant|montants|tarifs?|payer|paie|paye|toucher|touche|rembourse|rembourser|euros?|frais|gratuit|gratuite|somme|aide financiere|indemnite)\b|€/.test(
      q,
    );
  const amount =
    amountWords && !new RegExp(`\\bcombien (?:de |d')${DURATION_WORDS}\\b`).test(q)
      ? true
      : /\b(?:cout|prix|montant|tarif)/.test(q);
  const procedure =
    /\b(?:comment|demarches?|procedure|etapes?|que (?:doit|dois|faut|faire)|quoi faire|faire la demande|faire une demande|s'inscrire|proceder|que fait|quelles? (?:sont les )?formalites)\b/.test(
      q,
    );
  // "Quand puis-je venir, passer, retirer…": a visit, answered by days and hours.
  const visit =
    /\b(?:quand|quel jour|quels jours|a quelle heure)\b.*\b(?:venir|passer|aller|se rendre|me rendre|se presenter|me presenter|chercher|recuperer|retirer|deposer)\b/.test(
      q,
    );
  const place =
    visit ||
    /(?:^|[\s'])où\b/.test(question.toLowerCase()) ||
    /\b(?:adresse|horaires?|ouvert|ouverte|ouverture|ferme|fermee|fermeture|joindre|numero|telephone|contacter|appeler|permanence|guichet|lieu)\b/.test(
      q,
    );
  const documents =
    /\b(?:pieces?|papiers?|justificatifs?|documents?|dossier a fournir|fournir|apporter)\b/.test(q);
  const condition =
    /\b(?:peut-(?:il|elle|on)|puis-je|pouvons-nous|peuvent-ils|peuvent-elles) (?:etre|beneficier|obtenir|toucher|percevoir|avoir)\b/.test(
      q,
    ) ||
    /\b(?:conditions?|eligibles?|eligibilite|qui peut|qui a droit|ai-je droit|j'ai droit|a droit|avoir droit|ouvre droit|ouvrir droit|sous reserve|plafonds?|quotient familial|qf)\b/.test(
      q,
    );
  return { amount, delay, procedure, place, documents, condition, numbers: numbersIn(question) };
}

/** Numbers of a text: "1 200" and "2,90" read whole; ordinals and years included. */
export function numbersIn(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/\d{1,3}(?:[  ]\d{3})+(?:,\d+)?|\d+(?:,\d+)?/g)) {
    const n = Number(m[0].replace(/[  ]/g, '').replace(',', '.'));
    if (Number.isFinite(n)) out.push(n);
  }
  return out;
}

const NUM = String.raw`(\d{1,3}(?:[  ]\d{3})+(?:,\d+)?|\d+(?:,\d+)?)`;
const RANGES: { re: RegExp; lo: (m: RegExpExecArray) => number; hi: (m: RegExpExecArray) => number }[] = [
  {
    re: new RegExp(
      String.raw`(?:de|entre|du)?\s*${NUM}\s*(?:€|euros?|ans)?\s*(?:à|et|-|–|au)\s*${NUM}`,
      'giu',
    ),
    lo: (m) => num(m[1]),
    hi: (m) => num(m[2]),
  },
  {
    re: new RegExp(
      String.raw`(?:inférieure? ou égale? à|inférieure? à|jusqu'à|jusqu’à|moins de|au plus|au maximum|maximum|plafonnée? à|≤|<=|<)\s*${NUM}`,
      'giu',
    ),
    lo: () => -Infinity,
    hi: (m) => num(m[1]),
  },
  {
    re: new RegExp(
      String.raw`(?:supérieure? ou égale? à|supérieure? à|plus de|au moins|à partir de|minimum|dès|≥|>=|>)\s*${NUM}`,
      'giu',
    ),
    lo: (m) => num(m[1]),
    hi: () => Infinity,
  },
  {
    re: new RegExp(String.raw`${NUM}\s*(?:et plus|ou plus|et au-delà)`, 'giu'),
    lo: (m) => num(m[1]),
    hi: () => Infinity,
  },
];

function num(s: string): number {
  return Number(s.replace(/[  ]/g, '').replace(',', '.'));
}

/** Numeric brackets a text states ("QF 451 à 700", "inférieur ou égal à 800", "plus de 1 200"). */
export function rangesIn(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const r of RANGES) {
    for (const m of text.matchAll(r.re)) {
      const lo = r.lo(m);
      const hi = r.hi(m);
      if (lo <= hi) out.push([lo, hi]);
    }
  }
  return out;
}

/**
 * How well a unit matches the question's numbers: > 1 when one falls in a bracket it states (or
 * it names the number), < 1 when it states brackets that hold none of them, 1 otherwise.
 */
export function numberFit(text: string, numbers: number[]): number {
  if (!numbers.length) return 1;
  const ranges = rangesIn(text);
  const inRange = numbers.some((n) => ranges.some(([lo, hi]) => n >= lo && n <= hi));
  if (inRange) return 2.5;
  const named = new Set(numbersIn(text));
  if (numbers.some((n) => named.has(n) && n >= 3)) return 1.5;
  // Brackets of the same order of magnitude as a number asked about, none holding it.
  const comparable = ranges.some(([lo, hi]) =>
    numbers.some((n) => {
      const bound = Number.isFinite(hi) ? hi : lo;
      return bound > 0 && n / bound > 0.2 && n / bound < 5;
    }),
  );
  return comparable ? 0.4 : 1;
}

const MONTHS =
  'janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre';
const DAYS = 'lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche';
export const HAS_AMOUNT = /\d[\d  ,.]*\s?(?:€|euros?\b|EUR\b)|\bgratuite?s?\b|\bpas d'aide\b/iu;
export const HAS_DELAY = new RegExp(
  String.raw`\b\d+\s?(?:jours?|mois|ans?|années?|semaines?|heures?|minutes?|trimestres?)\b|\b\d{1,2}(?:er|e)?\s(?:${MONTHS})\b|\b(?:délai|au plus tard|avant le|dans les|à compter|à partir du|dès|jusqu'au|jusqu’au|chaque (?:mois|année|semaine)|${DAYS})\b`,
  'iu',
);
const CONDITION =
  /\b(?:pour qui|conditions?|a condition|sous reserve|si vous|si votre|si le|si la|si l'|inferieure?s?|superieure?s?|au moins|au plus|moins de|plus de|agee?s? de|plafonds?|ressources|eligibles?|reservee?s? aux?|ouvert aux?|beneficiaires?)\b/;
/** A unit that states a condition of entitlement (a ceiling, an age, "pour qui", "si vous…"). */
export function hasCondition(text: string): boolean {
  return CONDITION.test(fold(text));
}

export const HAS_PLACE = new RegExp(
  String.raw`\b\d{1,2}\s?h\s?\d{0,2}\b|\b\d{1,4},?\s(?:rue|place|avenue|av\.|bd|boulevard|impasse|allée|chemin|route|quai|square)\b|\b\d{5}\b|\b0\d(?:[  .]?\d\d){4}\b|@|\b(?:bureau|guichet|accueil|${DAYS})\b`,
  'iu',
);
