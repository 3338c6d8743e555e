import { describe, expect, it } from 'vitest';
import { lexicalFields, searchableText } from './fields.js';

describe('lexical fields', () => {
  it('keeps link text and drops link targets and bare URLs', () => {
    expect(
      searchableText('Voir [le simulateur](https://www.service-public.fr/simulateur) ou www.caf.fr/x.'),
    ).toBe('Voir [le simulateur] ou  ');
  });

  it('puts publication-level context in the title and headings of every chunk', () => {
    const f = lexicalFields(
      {
        title: 'Prime de naissance',
        description: 'Aide versée avant la naissance',
        breadcrumb: ['Particuliers', 'Famille', 'Allocations familiales'],
      },
      { ordinal: 3, path: ['Montant'], text: 'Le montant est de [948 €](https://x.fr/y).', tokens: 10 },
    );
    expect(f.title.split(' ')).toEqual(['prim', 'naissanc']);
    expect(f.headings.split(' ')).toEqual(expect.arrayContaining(['mont', 'naissanc']));
    expect(f.body).not.toMatch(/http|fr\b/);
  });
});
