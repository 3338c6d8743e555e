import { matches } from './numeric.js';
import type { Candidate, Recognizer } from './types.js';

const STREET_TYPES = [
  'rue',
  'avenue',
  'av\\.?',
  'ave\\.?',
  'boulevard',
  'bd\\.?',
  'bld\\.?',
  'blvd\\.?',
  'chemin',
  'ch\\.',
  'impasse',
  'imp\\.',
  'place',
  'pl\\.',
  'route',
  'rte\\.?',
  'all[ée]e',
  'quai',
  'cours',
  'square',
  'r[ée]sidence',
  'lotissement',
  'chauss[ée]e',
  'passage',
  'sentier',
  'voie',
  'rond-point',
  'faubourg',
  'fbg\\.?',
  'hameau',
  'lieu-dit',
  'cit[ée]',
  'parvis',
  'promenade',
  'esplanade',
  'mail',
  'mont[ée]e',
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
  .map((t) => `[${t[0].toUpperCase()}${t[0]}]${t.slice(1)}`)
  .join('|');

/** Apartment / building details that may sit between the street and the postcode. */
const COMPLEMENT =
  '(?:\\s?,?\\s?(?:b[âa]t(?:iment)?\\.?|apt\\.?|appt\\.?|appartement|app\\.?|[ée]tage|esc(?:alier)?\\.?|porte|logement|log\\.)\\s?[A-Za-z0-9]{1,5})';

/** Latin letters (French text); avoids the cost of Unicode property classes. */
const L = 'A-Za-zÀ-ÖØ-öø-ÿŒœ';

/** City: capitalised words joined by spaces/hyphens, small linking words allowed, optional CEDEX. */
const CITY = `[A-ZÀ-ÖØ-Ý][${L}'’]*(?:-[${L}'’]+){0,4}(?:[ \\u00A0](?:(?:sur|sous|en|le|la|les|de|du|des|d['’]|l['’])[ \\u00A0]?)?[A-ZÀ-ÖØ-Ý][${L}'’]*(?:-[${L}'’]+){0,4}){0,3}(?:[ \\u00A0][Cc](?:edex|EDEX)(?:[ \\u00A0]\\d{1,2})?)?`;

/**
 * Postal address from the street number to the city: number (+ bis/ter) + street type + name
 * (+ building/apartment) + separator (comma, dash, new line) + 5-digit postcode + city.
 */
const ADDRESS_RE = new RegExp(
  `(?<![${L}0-9])\\d{1,4}(?:[ \\u00A0]?(?:bis|ter|quater|BIS|TER|[a-dA-D])(?![${L}]))?,?[ \\u00A0](?:${STREET_TYPES})(?![${L}])[^\\n,;:()]{1,60}?${COMPLEMENT}{0,3}[ \\u00A0]?(?:[,\\-–—][ \\u00A0]?|\\n|[ \\u00A0]|,?[ \\u00A0]?\\n)[ \\u00A0]?(?:0[1-9]|[1-8]\\d|9[0-8])\\d{3}[ \\u00A0]${CITY}`,
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
