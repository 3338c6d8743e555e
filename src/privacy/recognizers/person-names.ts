import { isFirstName, WEAK_FIRST_NAMES } from '../lexicon/first-names.js';
import { fold } from '../lexicon/fold.js';
import { isFrenchWord } from '../lexicon/french-words.js';
import { INSTITUTIONS, NOT_NAMES, PARTICLES } from '../lexicon/words.js';
import type { Token } from './person-tokens.js';
import type { Candidate } from './types.js';

/**
 * Person names found from their position and shape rather than from a list: what precedes them
 * (civil title, form label, verb of contact, kinship or role noun, "je m'appelle", a signature
 * position) and what they look like (capitalised or all-caps words that are not ordinary French
 * words, particles inside, a trailing initial, lower-case words in notes typed in lower case).
 * The first-name lexicon is one signal among others here, never a gate.
 */

/** Verbs and phrases after which a person's name often comes ("Relancer X", "Nous avons reçu X"). */
const VERB_TRIGGERS = [
  'recevoir',
  'recu',
  'recue',
  'recus',
  'rencontre',
  'rencontree',
  'contacter',
  'recontacter',
  'relancer',
  'convoquer',
  'rappeler',
  'appeler',
  'joindre',
  'orienter',
  'accompagner',
  'aider',
  'voir',
  'vu',
  'vue',
  'avec',
  'accueil',
  'signe',
  'signee',
  "c'est",
  'appelle',
  'suis',
  'est',
  'de',
  'pour',
  'par',
  'chez',
  'entre',
  'concernant',
  'bonjour',
  'bonsoir',
  'cher',
  'chere',
  'salut',
  'coucou',
].map((w) => fold(w));

/** Of VERB_TRIGGERS, the words so common that they need a stricter name after them. */
const WEAK_VERBS = new Set([
  'avec',
  'de',
  'pour',
  'par',
  'chez',
  'entre',
  'est',
  'suis',
  'voir',
  'vu',
  'vue',
  'aider',
]);

/** Nouns of kinship and roles that introduce a person ("sa cadette, X", "son tuteur X"). */
const ROLES = new Set(
  `fils fille filles enfant enfants cadet cadette aine ainee benjamin benjamine mari epoux epouse femme
conjoint conjointe concubin concubine compagnon compagne voisin voisine tuteur tutrice curateur curatrice
mandataire proprietaire bailleur bailleresse logeur logeuse hebergeant hebergeante mere pere frere soeur
oncle tante neveu niece cousin cousine grand-mere grand-pere petit-fils petite-fille beau-pere belle-mere
beau-frere belle-soeur gendre petit petite bebe nourrisson belle-fille medecin avocat avocate assistant assistante referent referente
ami amie collegue interprete temoin demandeur demandeuse beneficiaire titulaire usager usagere
allocataire locataire colocataire conseiller conseillere mediateur mediatrice agent`.split(/\s+/),
);

const DETERMINERS = new Set([
  'mon',
  'ma',
  'mes',
  'son',
  'sa',
  'ses',
  'leur',
  'leurs',
  'votre',
  'notre',
  'le',
  'la',
  'les',
  "l'",
  'du',
  'au',
  'un',
  'une',
]);

/** Form labels whose first word names a person's role ("NOM USUEL :", "Cadette :", "SIGNATURE :"). */
const LABEL_HEADS = new Set(
  `nom noms prenom prenoms signature signataire enfant enfants epoux epouse conjoint conjointe concubin
concubine logeur logeuse bailleur bailleresse proprietaire cadet cadette aine ainee benjamin benjamine
demandeur demandeuse redaction redacteur redactrice redige menage destinataire de expediteur a cc usager
usagere beneficiaire titulaire allocataire agent conseiller conseillere referent referente travailleur
travailleuse assistant assistante tuteur tutrice curateur curatrice mandataire representant representante
mere pere fils fille contact interlocuteur interlocutrice patient patiente assure assuree locataire
hebergeant hebergeante medecin temoin suivi dossier personne famille responsable intervenant intervenante
declarant declarante requerant requerante mari femme compagnon compagne parent parents identite`.split(/\s+/),
);

/** Words that make a label about something other than a person ("ORGANISME DESTINATAIRE", "NOM DE LA BANQUE"). */
const LABEL_NOT_PERSON =
  /\b(?:organisme|etablissement|service|commune|ville|employeur|banque|entreprise|societe|caisse|rue|voie|lieu|adresse|naissance|date|numero|n°|code|reference|ref|objet|envoye|telephone|tel|mail|courriel|ecole|college|lycee|structure|agence|mairie|nationalite|situation|profession|ressources|revenus?|montant|statut|pays|langue|regime|iban|rib|compte|siret|siren|age|sexe|emploi|metier|diplome|niveau|classe)\b/;

/** Nouns before a capitalised word that make it the name of a thing (law, company, place). */
const THING_BEFORE = new Set(
  `loi lois circulaire decret reforme amendement plan dispositif jurisprudence arret rapport commission
taxi taxis epicerie plomberie carrosserie garage boulangerie pharmacie cabinet societe entreprise
transports transport nettoyage peinture auto-ecole menuiserie maconnerie restaurant hotel bar cafe salon
coiffure boucherie charcuterie patisserie librairie agence etablissements ets sarl sas eurl sci
magasin supermarche boutique atelier ferme domaine chateau villa residence cite quartier station
pressing ambulance ambulances traiteur fleuriste opticien optique laverie imprimerie informatique
renovation demenagements location immobilier assurances couture esthetique tabac presse bazar
alimentation superette primeur poissonnerie quincaillerie serrurerie electricite vitrerie jardinage
paysagiste taxis vtc livraison securite gardiennage nettoyage`.split(/\s+/),
);

/** Role words that may follow a name on its line ("X, médiatrice de l'espace…", "X (espace France Services)"). */
const ROLE_TAIL =
  /^\s?(?:,\s?(?:mediat|conseill|agent|charge|assistant|referent|travailleu|secretai|directeu|responsable|chef|accueillant|benevole|juriste|ecrivain)|\((?:espace|france services|mairie|ccas|caf|cpam)|[–—-]\s)/;

const CLOSING_LINE =
  /^(?:bien\s|tres\s)?(?:cordialement|bonne\s(?:journee|soiree|fin)|salutations|bien\sa\svous|respectueusement|sinceres\ssalutations|merci.*|a\sbientot|avec\s.*|dans\sl'attente.*|je\svous\sprie.*|veuillez.*|recevez.*)[\s,.!]*$/;

export interface NameContext {
  text: string;
  tokens: Token[];
  /** The text is typed in lower case (SMS notes): lower-case words may be names anywhere. */
  lowerText: boolean;
  /** The text is mostly typed in capitals (forms). */
  upperText: boolean;
  /** Lazily built line index (see lineOf). */
  lines?: { start: Int32Array; end: Int32Array };
}

/** Start and end (exclusive, before the line break) of the line holding position `pos`; O(1) after one pass. */
function lineOf(ctx: NameContext, pos: number): { start: number; end: number } {
  if (!ctx.lines) {
    const n = ctx.text.length;
    const start = new Int32Array(n + 1);
    const end = new Int32Array(n + 1);
    let s = 0;
    for (let k = 0; k <= n; k++) {
      start[k] = s;
      if (k < n && ctx.text.charCodeAt(k) === 10) s = k + 1;
    }
    let e = n;
    for (let k = n; k >= 0; k--) {
      if (k < n && ctx.text.charCodeAt(k) === 10) e = k;
      end[k] = e;
    }
    ctx.lines = { start, end };
  }
  const k = Math.max(0, Math.min(pos, ctx.text.length));
  return { start: ctx.lines.start[k], end: ctx.lines.end[k] };
}

function isParticle(t: Token): boolean {
  return PARTICLES.has(t.folded);
}

function isJoined(t: Token): boolean {
  const g = t.gapBefore;
  return g === ' ' || g === '\u00A0' || g === '\u202F';
}

/** A line break inside a name (OCR, hard-wrapped mail): "Mme Yuying⏎Polishchuk". */
function isWrapped(t: Token): boolean {
  return /^[ \u00A0]?\n[ \u00A0]?$/.test(t.gapBefore);
}

type Case = 'lower' | 'capital';

/** Can this token be a word of a name (not a particle, not an initial)? `strict`: no ordinary French word. */
function nameWord(t: Token, strict: boolean, allowLower: boolean): Case | null {
  if (t.text.length < 2 || NOT_NAMES.has(t.folded) || /\d/.test(t.text)) return null;
  if (t.kind === 'cap' || t.kind === 'upper' || /^[dD]['’]\p{Lu}/u.test(t.text)) {
    const bare = t.folded.replace(/^d'/, '');
    if (strict && isFrenchWord(bare) && !(isFirstName(t.text) && !WEAK_FIRST_NAMES.has(t.folded)))
      return null;
    return 'capital';
  }
  if (t.kind === 'lower' && allowLower) {
    if (t.text.length < 3 || isFrenchWord(t.folded) || /^[ldjqsncmt]['’]/.test(t.folded)) return null;
    return 'lower';
  }
  return null;
}

interface ReadOptions {
  strict: boolean;
  allowLower: boolean;
  allowWrap: boolean;
  /** Minimum number of name words (particles and initials excluded). */
  minWords: number;
  /** Minimum number of name words when the name is in lower case (default: minWords). */
  minLowerWords?: number;
  /** A strict reading may start with a particle ("Rédaction : de La Villemarqué"). */
  leadingParticle?: boolean;
}

/**
 * Reads a name starting at token i: name words, particles inside ("de La Villemarqué", "van den
 * Bossche"), initials ("R. ter Meulen", "Uzoma K."), at most one line break. Returns the index
 * after the last token, or -1.
 */
function readName(ctx: NameContext, i: number, o: ReadOptions): number {
  const { tokens } = ctx;
  let j = i;
  let words = 0;
  let solid = 0;
  let lastGood = -1;
  let wrapped = false;
  let mode: Case | null = null;
  while (j < tokens.length && j - i < 7) {
    const t = tokens[j];
    if (j > i) {
      const wrapHere = !isJoined(t) && o.allowWrap && !wrapped && isWrapped(t);
      if (!isJoined(t) && !wrapHere) break;
      if (wrapHere) {
        // The rest of the next line must be the end of the name.
        if (!restOfLineIsName(ctx, j, o, mode)) break;
        wrapped = true;
      }
    }
    if (t.kind === 'title') break;
    if (t.kind === 'initial') {
      j++;
      lastGood = j;
      continue;
    }
    const w = nameWord(t, o.strict, o.allowLower);
    if (w && (mode === null || w === mode || (mode === 'capital' && isParticle(t)))) {
      mode ??= w;
      words++;
      if (!(t.kind === 'upper' && t.text.length <= 3)) solid++;
      j++;
      lastGood = j;
      continue;
    }
    // A particle belongs to the name only when a name word follows it; a name read on its shape
    // alone does not start with one ("de Mutsamudu", "de la CGSS").
    if ((isParticle(t) || /^[dD]['’]$/.test(t.text)) && !(o.strict && j === i && !o.leadingParticle)) {
      j++;
      continue;
    }
    break;
  }
  const min = mode === 'lower' ? Math.max(o.minWords, o.minLowerWords ?? 0) : o.minWords;
  if (words < min || lastGood < 0 || (o.strict && solid === 0)) return -1;
  return lastGood;
}

function restOfLineIsName(ctx: NameContext, j: number, o: ReadOptions, mode: Case | null): boolean {
  const { tokens, text } = ctx;
  let k = j;
  let n = 0;
  for (; k < tokens.length && (k === j || isJoined(tokens[k])); k++) {
    const t = tokens[k];
    const w = t.kind === 'initial' ? mode : nameWord(t, o.strict, o.allowLower);
    if (!(w && (mode === null || w === mode)) && !isParticle(t)) return false;
    n++;
  }
  if (n === 0 || n > 3) return false;
  const end = tokens[k - 1].end;
  const tail = text.slice(end, Math.min(lineOf(ctx, end).end, end + 60));
  // The name ends the line, or a comma or a bracket follows it ("Nadiia⏎DE KEROUARTZ, née le…").
  return /^[\s,.;]*$/.test(tail) || /^\s?[,(]/.test(tail) || ROLE_TAIL.test(fold(tail));
}

/** Folded words of the tokens before index i, on the same clause (stops at a line break or punctuation). */
function previous(ctx: NameContext, i: number, n: number): string[] {
  const out: string[] = [];
  for (let k = i - 1; k >= 0 && out.length < n; k--) {
    const gap = ctx.tokens[k + 1].gapBefore;
    if (/[^\s,'’]/.test(gap) || gap.includes('\n')) break;
    const f = ctx.tokens[k].folded;
    const elided = /^([ldjqsnmt]')(\p{L}{3}.*)$/u.exec(f);
    if (elided) out.push(elided[2], elided[1]);
    else out.push(f);
  }
  return out;
}

/** Form label ending right before `start` ("NOM D'USAGE : ", "Enfants au foyer : ", "De : "). */
function labelKind(ctx: NameContext, start: number): 'strong' | 'strict' | null {
  const { text } = ctx;
  const lineStart = lineOf(ctx, start - 1).start;
  if (start - lineStart > 60) return null;
  const m = /^\s*(?:[-–—•*]\s*)?([^:\n]{1,48}?)\s?:\s*$/.exec(text.slice(lineStart, start));
  if (!m) return null;
  const label = fold(m[1])
    .replace(/\([^)]*\)/g, ' ')
    .trim();
  const words = label.split(/[\s/'’-]+/).filter(Boolean);
  const head = words[0];
  // "IDENTITÉ DU DEMANDEUR", "SIGNATURE DU CONJOINT": a label ending with a role noun, read strictly.
  if (!LABEL_HEADS.has(head))
    return ROLES.has(words[words.length - 1]) && !LABEL_NOT_PERSON.test(label) ? 'strict' : null;
  if (
    LABEL_NOT_PERSON.test(label) &&
    !/^(?:nom|prenom)s?\b(?!.*\b(?:organisme|etablissement|banque|employeur|entreprise|societe|ecole|structure|caisse)\b)/.test(
      label,
    )
  )
    return null;
  return [
    'de',
    'a',
    'cc',
    'destinataire',
    'expediteur',
    'dossier',
    'suivi',
    'contact',
    'personne',
    'famille',
  ].includes(head)
    ? 'strict'
    : 'strong';
}

/** Is token i the first word of its line, the rest of the line being the name and maybe a role tail? */
function signatureStart(ctx: NameContext, i: number): boolean {
  const { text, tokens } = ctx;
  const t = tokens[i];
  const lineStart = lineOf(ctx, t.start).start;
  if (text.slice(lineStart, t.start).trim() !== '') return false;
  if (lineStart === 0) return false;
  // The previous non-empty line.
  let prev = lineOf(ctx, lineStart - 1);
  while (prev.start > 0 && /^\s*$/.test(text.slice(prev.start, Math.min(prev.end, prev.start + 200))))
    prev = lineOf(ctx, prev.start - 1);
  if (prev.end - prev.start > 200) return false;
  const prevLine = fold(text.slice(prev.start, prev.end).trim());
  // After a closing formula or a role line ending with a comma ("Le directeur,", "P/O le chef de service,").
  if (CLOSING_LINE.test(prevLine)) return true;
  if (prevLine.endsWith(',') && prevLine.split(/\s+/).length <= 6) return true;
  return false;
}

/** End of line after a name: nothing, or a role ("X, médiatrice…", "X (espace France Services)"). */
function lineEndsAfter(ctx: NameContext, end: number): 'empty' | 'role' | null {
  const lineEnd = lineOf(ctx, end).end;
  const tail = ctx.text.slice(end, Math.min(lineEnd, end + 60));
  if (lineEnd > end + 60) return ROLE_TAIL.test(fold(tail)) ? 'role' : null;
  if (/^[\s.]*$/.test(tail)) return 'empty';
  if (ROLE_TAIL.test(fold(tail))) return 'role';
  return null;
}

function nextLineIsRole(ctx: NameContext, end: number): boolean {
  const nl = lineOf(ctx, end).end;
  if (nl >= ctx.text.length) return false;
  return /^(?:mediat|conseill|agent|charg|assistant|referent|travailleu|equipe|france services|secretai|directeu|responsable|chef|juriste|ecrivain|accueil)/.test(
    fold(ctx.text.slice(nl + 1, nl + 41).trimStart()),
  );
}

/** "inviter", "prévenir", "recevoir", "joindre": an ordinary verb in the infinitive. */
function isInfinitive(folded: string): boolean {
  return /(?:[^i]er|[^a]ir|[^a]ire|dre|oir)$/.test(folded) && folded.length >= 5 && isFrenchWord(folded);
}

function thingBefore(ctx: NameContext, i: number): boolean {
  const prev = previous(ctx, i, 3);
  if (prev.length === 0) return false;
  // "Saint Laurent du Maroni", "Sainte Anne": a place.
  if (/^(?:saint|sainte|st|ste)$/.test(prev[0])) return true;
  if (THING_BEFORE.has(prev[0]) || INSTITUTIONS.has(prev[0].replace(/^[ld]'/, ''))) return true;
  for (const w of prev.slice(1))
    if (INSTITUTIONS.has(w.replace(/^[ld]'/, '')) || THING_BEFORE.has(w)) return true;
  // A capitalised ordinary word glued before the name ("Épicerie Nguema", "Auto-école X").
  const p = ctx.tokens[i - 1];
  return (
    isJoined(ctx.tokens[i]) &&
    (p.kind === 'cap' || p.kind === 'upper') &&
    isFrenchWord(p.folded) &&
    !VERB_TRIGGERS.includes(p.folded) &&
    !isInfinitive(p.folded) &&
    !ROLES.has(p.folded) &&
    !NOT_NAMES.has(p.folded)
  );
}

function at(ctx: NameContext, i: number, end: number): Candidate {
  return { start: ctx.tokens[i].start, end: ctx.tokens[end - 1].end, type: 'PERSON' };
}

/** Reads further names of a list after a name: "X, Y et Z", "X (mari) et Y (fille)". */
function listContinuation(ctx: NameContext, end: number, o: ReadOptions, out: Candidate[]): number {
  const { tokens, text } = ctx;
  let k = end;
  while (k < tokens.length) {
    const gapText = text.slice(tokens[k - 1].end, tokens[k].start);
    let next = k;
    if (/^\s?(?:\([^)\n]{1,20}\))?\s?,\s?$/.test(gapText) || /^\s?(?:\([^)\n]{1,20}\))?\s?$/.test(gapText)) {
      if (tokens[k].folded === 'et' && /^\s?(?:\([^)\n]{1,20}\))?\s?$/.test(gapText)) next = k + 1;
      else if (!/,/.test(gapText)) break;
    } else break;
    if (next < tokens.length && tokens[next].kind === 'title') next++;
    if (next >= tokens.length) break;
    const e = readName(ctx, next, o);
    if (e < 0) break;
    out.push(at(ctx, next, e));
    k = e;
  }
  return k;
}

/** All names found by position and shape in the text. */
export function contextualNames(ctx: NameContext, expired: () => boolean): Candidate[] {
  const { tokens, text } = ctx;
  const out: Candidate[] = [];
  let i = 0;
  let steps = 0;
  while (i < tokens.length) {
    if (++steps % 128 === 0 && expired()) break;
    const t = tokens[i];
    const capital = t.kind === 'cap' || t.kind === 'upper' || t.kind === 'initial' || isParticle(t);
    const prevTok = i > 0 ? tokens[i - 1] : null;
    const afterTitle = prevTok !== null && prevTok.kind === 'title' && (isJoined(t) || isWrapped(t));
    if (!capital && t.kind !== 'lower') {
      i++;
      continue;
    }
    let o: ReadOptions | null = null;
    let list = false;
    if (afterTitle) {
      o = { strict: false, allowLower: true, allowWrap: true, minWords: 1 };
    } else {
      const label = i > 0 && t.start - tokens[i - 1].end < 8 ? labelKind(ctx, t.start) : null;
      if (label) {
        o = {
          strict: label === 'strict',
          allowLower: true,
          allowWrap: true,
          minWords: 1,
          leadingParticle: true,
        };
        list = true;
      } else {
        const prev = previous(ctx, i, 3);
        const role = prev.length > 0 && ROLES.has(prev[0]) && (prev.length === 1 || DETERMINERS.has(prev[1]));
        const verb =
          prev.length > 0 &&
          (VERB_TRIGGERS.includes(prev[0]) ||
            isInfinitive(prev[0]) ||
            (prev[0] === 'a' && prev.length > 1 && isInfinitive(prev[1])));
        if (role) {
          o = { strict: true, allowLower: true, allowWrap: false, minWords: 1 };
          list = role;
        } else if (verb) {
          const weak = WEAK_VERBS.has(prev[0]);
          o = {
            strict: true,
            allowLower: !weak || ctx.lowerText,
            allowWrap: false,
            minWords: weak ? 2 : 1,
            minLowerWords: 2,
          };
        } else if (capital && signatureStart(ctx, i)) {
          o = { strict: true, allowLower: false, allowWrap: true, minWords: 1 };
        } else if (capital || (ctx.lowerText && t.kind === 'lower')) {
          // No cue: two name words or more, not after a noun naming a thing; a particle may
          // start it only at the start of a line ("de la villemarqué ammar a déménagé").
          const lineStart = lineOf(ctx, t.start).start;
          const leadingParticle = text.slice(lineStart, t.start).trim() === '';
          o = { strict: true, allowLower: ctx.lowerText, allowWrap: false, minWords: 2, leadingParticle };
        }
      }
    }
    if (!o) {
      i++;
      continue;
    }
    const end = readName(ctx, i, o);
    if (end < 0) {
      i++;
      continue;
    }
    const cand = at(ctx, i, end);
    const words = end - i;
    let ok = true;
    // Names of things: "foyer Adoma Marcel Paul", "Taxi Ezeani" (a form label decides by itself).
    if (!afterTitle && o.strict && !list && thingBefore(ctx, i)) ok = false;
    if (!afterTitle && o.strict && o.minWords >= 2) {
      // Shape only: reject a lone line in lower case that is not a name position.
      // After a definite article, or starting with one: a thing ("la Pizzeria Okonkwo", "Le Kebab Yilmaz").
      if (ok && /^(?:le|la|les|l'|du|aux)$/.test(previous(ctx, i, 1)[0] ?? '')) ok = false;
      if (ok && /^(?:Le|La|Les|LE|LA|LES)$/.test(tokens[i].text) && !isFirstName(tokens[end - 1].text))
        ok = false;
      // After "à", "au", "en": a place ("vécu à Abidjan Cocody", "en Sierra Leone").
      if (ok && /^(?:a|au|aux|en)$/.test(previous(ctx, i, 1)[0] ?? '')) ok = false;
      // A trade or a body before a name: "Pressing Lindqvist", "DEETS de Mayotte", "ARS de la Réunion".
      if (ok && THING_BEFORE.has(tokens[i].folded)) ok = false;
      if (ok && tokens[i].kind === 'upper' && i + 1 < end && /^(?:de|du|des|d')$/.test(tokens[i + 1].folded))
        ok = false;
      // All capitals without a cue: in a form typed in capitals, or with a short word, an acronym
      // or a company more often than a person ("SARL KOVACS BTP"); in mixed-case prose, a name.
      const run = tokens.slice(i, end);
      if (ok && run.every((x) => x.kind !== 'cap' && x.kind !== 'lower')) {
        const words = run.filter((x) => x.kind === 'upper' && !isParticle(x));
        ok = !ctx.upperText && words.every((x) => x.text.length >= 4 && /[AEIOUYÀ-ÖØ-Ý]/.test(x.text));
      }
      if (ok && tokens[i].kind === 'lower') {
        const lineStart = lineOf(ctx, t.start).start;
        const first = text.slice(lineStart, t.start).trim() === '';
        const lineEnd = lineEndsAfter(ctx, cand.end);
        const prev = previous(ctx, i, 1)[0];
        // Inside a line: two words of four letters or more that are not French ("vu ce matin kofi mensah").
        const long = run.filter((x) => !isParticle(x)).every((x) => x.text.length >= 4);
        ok = first || lineEnd !== null || (prev !== undefined && VERB_TRIGGERS.includes(prev)) || long;
      }
    }
    if (ok && words === 1 && o.strict && o.minWords === 1 && !afterTitle) {
      // One word after a weak cue: needs to stand on its own line position or a role tail.
      const sig = signatureStart(ctx, i);
      if (sig && !(lineEndsAfter(ctx, cand.end) || nextLineIsRole(ctx, cand.end))) ok = false;
    }
    if (ok) {
      out.push(cand);
      i = list ? listContinuation(ctx, end, o, out) : end;
    } else i++;
  }
  return out;
}

/**
 * Another occurrence of an already found name (any case, accents or not, across a line break) is
 * masked too. One pass over the tokens: a name is the sequence of its tokens' folded forms.
 */
export function otherOccurrences(ctx: NameContext, found: Candidate[]): Candidate[] {
  const { tokens } = ctx;
  if (found.length === 0) return [];
  const byFirst = new Map<string, string[][]>();
  const seen = new Set<string>();
  const covered = new Set<number>();
  let f = 0;
  const sorted = [...found].sort((a, b) => a.start - b.start);
  for (let k = 0; k < tokens.length && f < sorted.length; k++) {
    while (f < sorted.length && sorted[f].end <= tokens[k].start) f++;
    if (f < sorted.length && tokens[k].start >= sorted[f].start && tokens[k].end <= sorted[f].end)
      covered.add(k);
  }
  // Token sequences of the found names.
  let k = 0;
  for (const c of sorted) {
    while (k < tokens.length && tokens[k].start < c.start) k++;
    const seq: string[] = [];
    for (let j = k; j < tokens.length && tokens[j].end <= c.end; j++) seq.push(tokens[j].folded);
    const key = seq.join(' ');
    if (seq.length === 0 || seen.has(key) || key.replace(/[^a-z]/g, '').length < 4) continue;
    seen.add(key);
    if (seq.length === 1 && isFrenchWord(seq[0])) continue;
    const list = byFirst.get(seq[0]) ?? [];
    list.push(seq);
    byFirst.set(seq[0], list);
  }
  const out: Candidate[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (covered.has(i)) continue;
    const seqs = byFirst.get(tokens[i].folded);
    if (!seqs) continue;
    for (const seq of seqs) {
      let ok = i + seq.length <= tokens.length;
      for (let j = 1; ok && j < seq.length; j++) {
        const t = tokens[i + j];
        ok = t.folded === seq[j] && /^[\s\u00A0\u202F]+$/.test(t.gapBefore) && !covered.has(i + j);
      }
      if (!ok || thingBefore(ctx, i)) continue;
      out.push({ start: tokens[i].start, end: tokens[i + seq.length - 1].end, type: 'PERSON' });
      i += seq.length - 1;
      break;
    }
  }
  return out;
}
