import { describe, expect, it } from 'vitest';
import { analyze, fold } from './french.js';

describe('French analysis', () => {
  it('folds case and accents', () => {
    expect(fold('Chèque ÉNERGIE œuvre')).toBe('cheque energie oeuvre');
  });

  it('removes elisions and stop words, stems words', () => {
    expect(analyze("L'allocation de la CAF et d'autres aides")).toEqual(['alloc', 'caf', 'autr', 'aid']);
  });

  it('gives the same terms with or without accents', () => {
    expect(analyze('cheque energie impots')).toEqual(analyze('chèque énergie impôts'));
  });

  it('stems a folded feminine past participle like the masculine one', () => {
    for (const [a, b] of [
      ['séparée', 'séparé'],
      ['séparées', 'séparés'],
      ['déclarée', 'déclaré'],
      ['hospitalisée', 'hospitalisé'],
    ])
      expect(analyze(a)).toEqual(analyze(b));
    expect(analyze('séparee separée')).toEqual(analyze('séparé séparé'));
  });

  it('drops the words of the telling, keeps those of the question', () => {
    expect(analyze("mon père est décédé hier, j'ai toujours rien reçu, cb de jours ?")).toEqual(
      analyze('père décédé reçu jours'),
    );
    // Degree words that carry meaning in the fiches stay.
    expect(analyze('retraite à taux plein, trop-perçu')).toEqual([
      'retrait',
      'taux',
      'plein',
      'trop',
      'percu',
    ]);
  });

  it('keeps numbers', () => {
    expect(analyze('né en 1961 cerfa 12100')).toContain('1961');
  });

  it('returns nothing for empty or absurd input', () => {
    expect(analyze('')).toEqual([]);
    expect(analyze('!!! ??? ...')).toEqual([]);
  });
});
