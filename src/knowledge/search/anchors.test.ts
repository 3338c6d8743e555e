import { describe, expect, it } from 'vitest';
import { analyze } from '../analyze/french.js';
import { AnchorIndex, MAX_ANCHORS, publicationLinks } from './anchors.js';
import { anchorTerms, lexicalFields } from './fields.js';

const url = (id: string) => `https://www.service-public.fr/particuliers/vosdroits/${id}`;

describe('anchor text of links to a publication', () => {
  it('reads the target and the visible text of service-public.fr links only', () => {
    const md = `Voir le [**congé pour enfant malade**](${url('F151')}) et [un site](https://example.org/F99).`;
    expect(publicationLinks(md)).toEqual([{ target: 'F151', text: 'congé pour enfant malade' }]);
  });

  it('gathers anchors by target, ignores self-links, caps and sorts them', () => {
    const index = new AnchorIndex();
    index.add('F1', `[rester avec son enfant malade](${url('F151')}) [Moi-même](${url('F1')})`);
    index.add('F2', `[Absence pour enfant malade](${url('F151')})`);
    expect(index.of('F151')).toEqual(['absence pour enfant malade', 'rester avec son enfant malade']);
    expect(index.of('F1')).toEqual([]);
    for (let i = 0; i < MAX_ANCHORS + 5; i++) index.add(`X${i}`, `[lien numéro ${i}](${url('F7')})`);
    expect(index.of('F7')).toHaveLength(MAX_ANCHORS);
  });

  it('adds to the headings field the anchor words the title does not hold, once each', () => {
    const doc = { title: 'Congé pour enfant malade', description: 'Droit du salarié', breadcrumb: [] };
    const chunk = { ordinal: 0, path: ['Durée'], text: 'Trois jours.', tokens: 3 };
    const anchors = ['absence pour enfant malade', 'rester à la maison avec son enfant malade'];
    expect(anchorTerms(doc.title, anchors)).toEqual(analyze('absence rester maison'));
    const plain = lexicalFields(doc, chunk);
    const withAnchors = lexicalFields(doc, chunk, anchors);
    expect(withAnchors.title).toBe(plain.title);
    expect(withAnchors.body).toBe(plain.body);
    expect(withAnchors.headings).toBe(`${plain.headings} ${analyze('absence rester maison').join(' ')}`);
  });
});
