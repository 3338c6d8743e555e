import { describe, expect, it } from 'vitest';
import { corpusMonth, saysSourcesPredate, temporalAnswer, yearAfterCorpus, yearsIn } from './temporal.js';

describe('temporal honesty', () => {
  it('finds the years a question names, not amounts or birth years', () => {
    expect(yearsIn('le montant du RSA en 2026 ?')).toEqual([2026]);
    expect(yearsIn('je gagne 2000 € par mois')).toEqual([]);
    expect(yearsIn('mon fils né en 2021 a droit à quoi ?')).toEqual([]);
    expect(yearsIn('la réforme de 2023, valable jusqu’en 2016')).toEqual([2023, 2016]);
  });

  it('flags only years after the corpus’s newest fiche', () => {
    expect(yearAfterCorpus('rsa personne seule 2026 combien ?', '2020-11-12')).toBe(2026);
    expect(yearAfterCorpus('taxe d’habitation 2020, je dois payer ?', '2020-11-12')).toBeNull();
    expect(yearAfterCorpus('rsa 2026', null)).toBeNull();
  });

  it('says plainly how old the sources are, without any figure', () => {
    expect(corpusMonth('2020-11-12')).toBe('novembre 2020');
    const a = temporalAnswer('rsa personne seule 2026 combien ?', 2026, '2020-11-12');
    expect(a).toMatch(
      /^Les sources officielles dont je dispose datent de novembre 2020 ; le montant 2026 n'y figure pas\./,
    );
    expect(a).not.toMatch(/\d+ ?€/);
    expect(saysSourcesPredate(a, 2026)).toBe(true);
    expect(temporalAnswer('la réforme de 2023 change quoi ?', 2023, '2020-11-12')).toMatch(
      /ce qui s'applique en 2023/,
    );
    expect(saysSourcesPredate('Le RSA est de 565 € en 2026.', 2026)).toBe(false);
  });
});
