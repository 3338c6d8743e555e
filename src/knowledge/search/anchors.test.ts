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

describe('anchors kept with the document', () => {
  it('toDocumentInput stores them in the metadata, from which a copy rebuilds the same fields', async () => {
    const { anchorsOf, toDocumentInput } = await import('../index-document.js');
    const doc = {
      externalId: 'F151',
      title: 'Congé pour enfant malade',
      description: 'Salarié du privé',
      url: null,
      kind: 'fiche',
      audience: null,
      breadcrumb: [],
      date: null,
      markdown: '## Durée\n\nTrois jours.',
      sections: [{ path: ['Durée'], markdown: 'Trois jours.' }],
      metadata: { subject: 'x' },
    };
    const input = toDocumentInput(doc as never, {
      collectionId: 'service-public',
      hash: 'h',
      chunkTokens: 350,
      anchors: ['absence pour enfant malade'],
    });
    expect(anchorsOf(input.metadata)).toEqual(['absence pour enfant malade']);
    expect(input.metadata.subject).toBe('x');
    expect(input.chunks[0].lexical).toEqual(lexicalFields(doc, input.chunks[0], anchorsOf(input.metadata)));
    expect(anchorsOf({})).toEqual([]);
    expect(anchorsOf(null)).toEqual([]);
  });
});
