import { describe, expect, it } from 'vitest';
import { analyze } from '../analyze/french.js';
import { EXPANSIONS } from './expansions.js';
import { expansionTerms, queryTerms } from './query.js';

describe('query terms', () => {
  it('drops counter small talk', () => {
    expect(queryTerms('Bonjour, je voudrais savoir svp')).toEqual([]);
  });

  it('adds the administration’s words for an acronym or a familiar word', () => {
    expect(queryTerms('la CAF me réclame')).toEqual(
      expect.arrayContaining(analyze("caisse d'allocations familiales")),
    );
    expect(queryTerms("j'ai paumé ma carte d'identité")).toEqual(
      expect.arrayContaining(analyze('perdu carte nationale')),
    );
  });

  it('translates family words and familiar phrasings, never to a topic of their own', () => {
    expect(queryTerms('mon fils de 5 ans a de la fièvre')).toEqual(
      expect.arrayContaining(analyze('enfant malade')),
    );
    expect(queryTerms('pas d’adresse fixe, je dors chez des potes')).toEqual(
      expect.arrayContaining(analyze('domiciliation ami')),
    );
    expect(queryTerms('passer à mi-temps')).toEqual(expect.arrayContaining(analyze('temps partiel')));
    // "chômage" is the corpus's own word: no allowance added to it.
    expect(queryTerms('mes années de chomdu comptent pour la retraite ?')).not.toContain(
      analyze('allocation')[0],
    );
    expect(expansionTerms('au chômage')).toEqual([]);
  });

  it('prefers the longest key at a position', () => {
    expect(expansionTerms('je suis auto-entrepreneur')).toEqual(analyze('micro-entrepreneur'));
    expect(expansionTerms('auto')).toEqual([]);
  });

  it('has folded keys made of words the analyzer reads the same way', () => {
    for (const key of Object.keys(EXPANSIONS)) {
      expect(key).toBe(
        key
          .toLowerCase()
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, ''),
      );
      expect(key).not.toMatch(/['’-]/);
      expect(expansionTerms(key).length).toBeGreaterThan(0);
    }
  });

  it('is bounded', () => {
    expect(
      queryTerms('mot '.repeat(10_000) + Array.from({ length: 200 }, (_, i) => `terme${i}`).join(' ')).length,
    ).toBeLessThanOrEqual(48);
  });
});
