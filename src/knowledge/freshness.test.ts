import { describe, expect, it } from 'vitest';
import { currentOfficialUrl, frenchDate, isStale, staleCaveat } from './freshness.js';

describe('freshness', () => {
  const now = new Date('2026-12-06T07:00:00Z');

  it('marks a date older than the configured months as stale, and only such a date', () => {
    expect(isStale('2020-11-12', 12, now)).toBe(true);
    expect(isStale('2025-12-05', 12, now)).toBe(true);
    expect(isStale('2025-12-07', 12, now)).toBe(false);
    expect(isStale('2026-03-01', 12, now)).toBe(false);
    expect(isStale('2026-03-01', 6, now)).toBe(true);
    expect(isStale(null, 12, now)).toBe(false);
    expect(isStale('pas une date', 12, now)).toBe(false);
  });

  it('writes the caveat with the oldest stale source date, French style', () => {
    expect(frenchDate('2020-11-12')).toBe('12/11/2020');
    expect(
      staleCaveat([
        { date: '2021-01-04', stale: true },
        { date: '2020-11-12', stale: true },
        { date: '2010-01-01', stale: false },
        { date: null, stale: true },
      ]),
    ).toBe('Source du 12/11/2020 : vérifiez sur le site officiel avant de répondre.');
    expect(staleCaveat([{ date: '2026-10-01', stale: false }])).toBeNull();
  });

  it('links to service-public.gouv.fr, leaving other sites alone', () => {
    expect(currentOfficialUrl('https://www.service-public.fr/particuliers/vosdroits/F1')).toBe(
      'https://www.service-public.gouv.fr/particuliers/vosdroits/F1',
    );
    expect(currentOfficialUrl('http://service-public.fr/professionnels-entreprises/vosdroits/F2')).toBe(
      'https://www.service-public.gouv.fr/professionnels-entreprises/vosdroits/F2',
    );
    expect(currentOfficialUrl('https://www.service-public.fr.example.com/x')).toBe(
      'https://www.service-public.fr.example.com/x',
    );
    expect(currentOfficialUrl('https://code.travail.gouv.fr/fiche')).toBe(
      'https://code.travail.gouv.fr/fiche',
    );
    expect(currentOfficialUrl(null)).toBeNull();
  });
});
