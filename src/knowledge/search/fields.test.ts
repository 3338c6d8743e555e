import { describe, expect, it } from 'vitest';
import { lexicalFields, searchableText } from './fields.js';

describe('lexical fields', () => {
  it('keeps link text and drops link targets and bare URLs', () => {
    expect(
      searchableText('Voir [le simulateur](https://www.service-public.fr/simulateur) ou www.caf.fr/x.'),
    ).toBe('Voir [le simulateur] ou  ');
  });

  it('puts publication-level context in every chunk: title, description in the body', () => {
    const f = lexicalFields(
      {
        title: 'Prime de naissance',
        description: 'Aide versée avant la naissance',
        breadcrumb: ['Particuliers', 'Famille', 'Allocations familiales'],
      },
      { ordinal: 3, path: ['Montant'], text: 'Le montant est de [948 €](https://x.fr/y).', tokens: 10 },
    );
    expect(f.title.split(' ')).toEqual(['prim', 'naissanc']);
    expect(f.headings.split(' ')).toEqual(['mont']);
    expect(f.body.split(' ')).toEqual(expect.arrayContaining(['aid', 'vers', 'naissanc', 'mont', '948']));
    expect(f.body).not.toMatch(/http|fr\b/);
  });
});
