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

  it('keeps numbers', () => {
    expect(analyze('né en 1961 cerfa 12100')).toContain('1961');
  });

  it('returns nothing for empty or absurd input', () => {
    expect(analyze('')).toEqual([]);
    expect(analyze('!!! ??? ...')).toEqual([]);
  });
});
