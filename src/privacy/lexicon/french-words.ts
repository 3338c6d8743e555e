import { readFileSync } from 'node:fs';
import { fold } from './fold.js';

/**
 * Ordinary French words (folded): french-words.txt, built from the service-public and
 * travail-emploi corpus by scripts/build-french-words.ts, plus everyday words of case notes and
 * e-mails that administrative prose seldom writes (family, roles, note jargon). A word found here
 * is rarely a person's name: one signal among others for the person recognizer.
 */
const EVERYDAY = `
cadet cadette aine ainee benjamin benjamine fiston maman papa mamie papi tonton tata concubin concubine
mediateur mediatrice mediateurs mediatrices numerique accueillant accueillante stagiaire benevole
demenage demenager demenagement revient reviendra repasse repasser rappele rappelee recontacter
relancer relance relancee convoquer convoque convoquee joindre joint jointe injoignable
memo todo pense-bete rdv tel tél portable fixe dossier dossiers scanner scanne imprimer valide validé
signer signe signee envoye envoyee smartphone iphone merci beaucoup stp svp bisous bonsoir coucou
je tu il elle on nous vous ils elles moi toi lui eux me te se ce ca cela ceci quoi qui que dont ou oui non
peux peut pouvez veux veut voulez sais sait savez dois doit devez fais fait faites vais va allez viens vient
hier demain aujourd'hui matin soir midi apres-midi semaine prochaine prochain dernier derniere
logeur logeuse hebergeant hebergeante hebergee voisin voisine copain copine ami amie
`;

function load(): Set<string> {
  const raw = readFileSync(new URL('./french-words.txt', import.meta.url), 'utf8');
  const set = new Set<string>();
  for (const line of raw.split('\n')) if (line && !line.startsWith('#')) set.add(line);
  for (const w of EVERYDAY.split(/\s+/)) if (w) set.add(fold(w));
  return set;
}

/** Loaded at import, so that no scan pays for it inside its time budget. */
const words: Set<string> = load();

/** Pronouns glued to a verb ("peux-tu", "aide-moi", "a-t-il"). */
const CLITIC = /-(?:t-)?(?:je|tu|il|elle|on|nous|vous|ils|elles|moi|toi|lui|leur|le|la|les|y|en)$/;
/** Inflection endings, and the dictionary forms they may come from ("enchaîne" → "enchaîner"). */
const ENDINGS: [RegExp, string[]][] = [
  [/s$/, ['']],
  [/(?:aient|ait|ais|ons|ez|ent|ees|ee|es|e|er|ir)$/, ['er', 'e', 'ir', 're']],
];

/** Is this (folded) word an ordinary French word? Also its inflected forms and verb + pronoun. */
export function isFrenchWord(folded: string): boolean {
  if (words.has(folded)) return true;
  const known = cache.get(folded);
  if (known !== undefined) return known;
  const answer = inflected(folded);
  if (cache.size >= 20_000) cache.clear();
  cache.set(folded, answer);
  return answer;
}

/** Answers for words outside the list (inflections, clitics), bounded. */
const cache = new Map<string, boolean>();

function inflected(folded: string): boolean {
  if (CLITIC.test(folded)) return true;
  const parts = folded.split('-');
  if (parts.length > 1) return parts.every((p) => p.length > 0 && words.has(p));
  for (const [re, forms] of ENDINGS) {
    const m = re.exec(folded);
    if (!m) continue;
    const stem = folded.slice(0, m.index);
    if (stem.length < 4) continue;
    if (forms.some((f) => words.has(stem + f))) return true;
  }
  return false;
}
