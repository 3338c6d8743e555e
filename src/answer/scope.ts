import { fold } from '../knowledge/analyze/french.js';

/**
 * Kinds of questions that official documentation never answers: real-time or very local facts
 * (weather, match results, timetables, showtimes, the opening hours of one named office). Asked
 * at a counter, the honest answer is "no source", whatever words happen to match.
 */
const OUT_OF_SCOPE: { kind: string; test: (folded: string, original: string) => boolean }[] = [
  {
    kind: 'météo',
    test: (f) =>
      /\b(meteo|quel temps (il )?(va|fera|fait)|va[- ]t[- ]il pleuvoir|temperatures? (de )?demain)\b/.test(f),
  },
  {
    kind: 'sport',
    test: (f) =>
      /\b(match|score|championnat|ligue 1|coupe du monde)\b/.test(f) &&
      /\b(gagne|perdu|resultat|score|hier|ce soir)\b/.test(f),
  },
  {
    kind: 'transports',
    test: (f) =>
      /\b(bus|tram|tramway|metro|rer|ter|navette|ligne \d+)\b/.test(f) &&
      /\b(heure|horaires?|passe|prochain|dimanche|samedi)\b/.test(f),
  },
  {
    kind: 'spectacles',
    test: (f) =>
      /\b(film|cinema|seances?|concert|spectacle)\b/.test(f) &&
      /\b(ce soir|demain|aujourd'?hui|cette semaine|passe)\b/.test(f),
  },
  {
    kind: 'horaires locaux',
    test: (f, o) =>
      /\b(horaires?|heures? d'ouverture|ouvert|ferme)\b/.test(f) &&
      /\b(?:de|du|a|à|d')\s*(?:la |le |l')?(?:[A-Z]{2,}\s+)?(?:de |d')\s*[A-ZÉÈ][\p{L}-]{2,}/u.test(o),
  },
];

/** The kind of out-of-scope question, or null when the question may be answered by the sources. */
export function outOfScopeKind(question: string): string | null {
  const folded = fold(question);
  return OUT_OF_SCOPE.find((r) => r.test(folded, question))?.kind ?? null;
}
