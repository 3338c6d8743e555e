import { describe, expect, it } from 'vitest';
import { containsAll } from './evaluate-answers.js';

describe('answer_contains / key_facts scoring', () => {
  it('folds case, accents, apostrophes, Markdown emphasis and runs of white space', () => {
    const answer =
      "- **Horaires** : Du **lundi 7 juillet** au vendredi\n22 AOUT 2025 : samedi :  fermé ; l’élu d'astreinte.";
    expect(containsAll(answer, ['7 juillet', '22 août', 'samedi : fermé', "élu d'astreinte"])).toBe(true);
    expect(containsAll(answer, ['7 juillet', 'dimanche'])).toBe(false);
    expect(containsAll(answer, [])).toBe(true);
  });
});
