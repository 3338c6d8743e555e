import { matches } from './numeric.js';
import type { Candidate, Recognizer } from './types.js';

/** Street types, full or abbreviated ("r.", "bd", "chem.", "fbg", "rte", "imp."); matched in any case. */
const STREET_TYPES = [
  'rue',
  'r\\.',
  'avenue',
  'av\\.?',
  'ave\\.?',
  'boulevard',
  'bd\\.?',
  'bld\\.?',
  'blvd\\.?',
  'chemin',
  'chem\\.?',
  'ch\\.',
  'impasse',
  'imp\\.',
  'place',
  'pl\\.',
  'route',
  'rte\\.?',
  'allée',
  'allee',
  'all\\.',
  'quai',
  'cours',
  'square',
  'sq\\.',
  'résidence',
  'residence',
  'rés\\.',
  'res\\.',
  'lotissement',
  'lot\\.',
  'chaussée',
  'chaussee',
  'passage',
  'sentier',
  'voie',
  'rond-point',
  'faubourg',
  'fbg\\.?',
  'faub\\.',
  'hameau',
  'lieu-dit',
  'cité',
  'cite',
  'parvis',
  'promenade',
  'esplanade',
  'mail',
  'montée',
  'montee',
  'traverse',
  'venelle',
  'ruelle',
  'sente',
  'villa',
  'domaine',
  'clos',
  'carrefour',
  'rampe',
  'voie communale',
  'port',
  'parc',
  'zone',
  'za',
  'zi',
  'zac',
]
  .map(anyCase)
  .join('|');

/** "rue" → "[rR][uU][eE]": case-insensitive for one alternative only (the rest of the pattern keeps its case). */
function anyCase(pattern: string): string {
  return pattern.replace(/\p{Ll}/gu, (c) => `[${c}${c.toUpperCase()}]`);
}

/** Apartment / building details that may sit between the street and the postcode. */
const COMPLEMENT = `(?:\\s?,?\\s?(?:${['bât', 'bat', 'bâtiment', 'batiment', 'apt', 'appt', 'appartement', 'app', 'étage', 'etage', 'esc', 'escalier', 'porte', 'logement', 'log'].map(anyCase).join('|')})\\.?\\s?[A-Za-z0-9]{1,5})`;

/** Latin letters (French text); avoids the cost of Unicode property classes. */
const L = 'A-Za-zÀ-ÖØ-öø-ÿŒœ';

/** City: capitalised words joined by spaces/hyphens, small linking words allowed, optional CEDEX. */
const CITY_CAPITALISED = `[A-ZÀ-ÖØ-Ý][${L}'’]*(?:-[${L}'’]+){0,4}(?:[ \\u00A0](?:(?:sur|sous|en|le|la|les|de|du|des|d['’]|l['’])[ \\u00A0]?)?[A-ZÀ-ÖØ-Ý][${L}'’]*(?:-[${L}'’]+){0,4}){0,3}(?:[ \\u00A0][Cc](?:edex|EDEX)(?:[ \\u00A0]\\d{1,2})?)?`;

/** City in lower case (SMS notes): one word, possibly hyphenated, possibly after an article. */
const CITY_LOWER = `(?:(?:le|la|les)[ \\u00A0]|l['’])?[a-zà-öø-ÿœ][a-zà-öø-ÿœ'’]*(?:-[a-zà-öø-ÿœ'’]+){0,4}`;
const CITY = `(?:${CITY_CAPITALISED}|${CITY_LOWER})`;

/**
 * Postal address from the street number to the city: number (+ bis/ter) + street type + name
 * (+ building/apartment) + separator (comma, dash, new line) + 5-digit postcode + city.
 */
const ADDRESS_RE = new RegExp(
  `(?<![${L}0-9])\\d{1,4}(?:[ \\u00A0]?(?:${['bis', 'ter', 'quater'].map(anyCase).join('|')}|[a-dA-D])(?![${L}]))?,?[ \\u00A0\\n](?:${STREET_TYPES})(?![${L}])(?:[^\\n,;:()]|\\n(?![\\n ])){1,60}?${COMPLEMENT}{0,3}[ \\u00A0]?(?:[,\\-–—][ \\u00A0]?\\n?|\\n|[ \\u00A0]|,?[ \\u00A0]?\\n)[ \\u00A0]?(?:0[1-9]|[1-8]\\d|9[0-8])\\d{3}[ \\u00A0]${CITY}`,
  'g',
);

export const addressRecognizer: Recognizer = {
  type: 'ADDRESS',
  find(ctx) {
    const out: Candidate[] = [];
    for (const m of matches(ctx, ADDRESS_RE))
      out.push({ start: m.index, end: m.index + m[0].length, type: 'ADDRESS' });
    return out;
  },
};
