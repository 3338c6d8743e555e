import { describe, expect, it } from 'vitest';
import { parseFile } from './index.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2), 'utf8');

describe('JSON parser', () => {
  it('gives one atomic section per record of the largest inner array, named by its name field', async () => {
    const parsed = await parseFile({
      bytes: json({
        commune: 'Saint-Exemple',
        mise_a_jour: '2025-06-01',
        services: [
          {
            nom: 'Mairie',
            telephone: '02 00 00 00 00',
            horaires: { lundi: '9h-12h', samedi: null },
            tags: ['état civil', 'élections'],
          },
          { nom: 'CCAS', adresse: { rue: '1 rue Haute', ville: 'Saint-Exemple' }, actif: true },
        ],
        liens: ['a'],
      }),
      fileName: 'annuaire.json',
    });
    expect(parsed.format).toBe('json');
    expect(parsed.metadata).toMatchObject({ records: 2, recordsAt: 'services' });
    const [context, mairie, ccas] = parsed.sections;
    expect(context.markdown).toBe('Commune : Saint-Exemple\nMise a jour : 2025-06-01\nLiens : a');
    expect(mairie).toEqual({
      path: ['Mairie'],
      markdown:
        'Nom : Mairie\nTelephone : 02 00 00 00 00\nHoraires.Lundi : 9h-12h\nTags : état civil, élections',
      atomic: true,
    });
    expect(ccas.markdown).toContain('Adresse.Rue : 1 rue Haute');
    expect(ccas.markdown).toContain('Actif : oui');
  });

  it('reads a top-level array and renders other JSON readably', async () => {
    const list = await parseFile({
      bytes: json([{ id: 1, titre: 'Aide A' }, { id: 2 }]),
      fileName: 'aides.json',
    });
    expect(list.sections.map((s) => s.path)).toEqual([['Aide A'], ['aides (2)']]);
    const config = await parseFile({
      bytes: json({ nom: 'Ville', contact: { mail: 'a@b.fr' } }),
      fileName: 'info.json',
    });
    expect(config.title).toBe('Ville');
    expect(config.sections).toEqual([{ path: [], markdown: 'Nom : Ville\nContact.Mail : a@b.fr' }]);
  });
});
