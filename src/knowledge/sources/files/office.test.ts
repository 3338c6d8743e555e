import { refusal } from '../../../../test/helpers/errors.js';
import { describe, expect, it } from 'vitest';
import {
  makeEml,
  makeEncryptedOffice,
  makeLargeXlsx,
  makeOdf,
  makeXlsx,
} from '../../../../test/fixtures/files/office.js';
import { detectFormat, parseFile } from './index.js';

const p = (text: string, style = '') => `<text:p${style}>${text}</text:p>`;
const cell = (inner: string, attrs = '') => `<table:table-cell${attrs}>${inner}</table:table-cell>`;

describe('ODT parser (LibreOffice Writer)', () => {
  it('keeps headings as paths, paragraphs, lists and tables, the title from meta.xml', async () => {
    const body = [
      '<text:sequence-decls/>',
      '<text:h text:outline-level="1">Inscriptions scolaires</text:h>',
      p('Les inscriptions ont lieu <text:span>en mairie</text:span>,<text:s/>du lundi au vendredi.'),
      '<text:list><text:list-item>' +
        p('Livret de famille') +
        '</text:list-item><text:list-item>' +
        p('Justificatif de domicile') +
        '</text:list-item></text:list>',
      // Long enough that the next chapter is not merged into this one (sections.ts merges small ones).
      p('Les pièces demandées sont vérifiées au guichet. '.repeat(30)),
      '<text:h text:outline-level="1">Restauration scolaire</text:h>',
      '<text:h text:outline-level="2">Tarifs</text:h>',
      '<table:table table:name="Tarifs"><table:table-column table:number-columns-repeated="2"/>',
      '<table:table-header-rows><table:table-row>' +
        cell(p('Tranche')) +
        cell(p('Tarif repas')) +
        '</table:table-row></table:table-header-rows>',
      '<table:table-row>' + cell(p('QF 1')) + cell(p('1,20 €')) + '</table:table-row>',
      '<table:table-row>' + cell(p('QF 2')) + cell(p('2,35 €')) + '</table:table-row>',
      '</table:table>',
      p(
        'Note<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body>' +
          p('hors sujet') +
          '</text:note-body></text:note> finale.',
      ),
    ].join('');
    const bytes = await makeOdf('text', body, { title: 'Guide des familles' });
    expect(detectFormat(bytes, 'guide.odt')).toBe('odt');
    const parsed = await parseFile({ bytes, fileName: 'sans-extension' });
    expect(parsed.format).toBe('odt');
    expect(parsed.title).toBe('Guide des familles');
    expect(parsed.markdown).toContain('## Inscriptions scolaires');
    expect(parsed.markdown).toContain('Les inscriptions ont lieu en mairie, du lundi au vendredi.');
    expect(parsed.markdown).toContain('- Livret de famille\n- Justificatif de domicile');
    expect(parsed.markdown).toContain('| QF 2 | 2,35 € |');
    expect(parsed.markdown).not.toContain('hors sujet');
    const tarif = parsed.sections.find((s) => s.markdown.includes('| QF 2 | 2,35 € |'));
    expect(tarif?.path).toEqual(['Restauration scolaire', 'Tarifs']);
    expect(tarif?.markdown).toContain('| Tranche | Tarif repas |');
  });

  it('refuses a password-protected or damaged document with a French message', async () => {
    const locked = await makeOdf('text', p('secret'), { encrypted: true });
    expect((await refusal(parseFile({ bytes: locked, fileName: 'a.odt' }))).message).toMatch(
      /protégé par un mot de passe/,
    );
    const broken = await makeOdf('text', '<text:p>pas fermé');
    const e = await refusal(parseFile({ bytes: broken, fileName: 'b.odt' }));
    expect(e.message).toMatch(/endommagé/);
  });
});

describe('ODS parser (LibreOffice Calc)', () => {
  it('turns rows into records with their labels, formulas as values, merged cells repeated', async () => {
    const sheet1 = [
      '<table:table table:name="Cantine">',
      '<table:table-column table:number-columns-repeated="1024"/>',
      '<table:table-row>' +
        cell(p('Quotient familial')) +
        cell(p('Repas')) +
        cell(p('Goûter')) +
        cell(p('Total')) +
        '<table:table-cell table:number-columns-repeated="1020"/></table:table-row>',
      // A merged cell over two rows (first column), a formula with its cached value.
      '<table:table-row>' +
        cell(p('QF 1 et 2'), ' table:number-rows-spanned="2" office:value-type="string"') +
        cell(p('1,20'), ' office:value-type="float" office:value="1.2"') +
        cell(p('0,50'), ' office:value-type="float" office:value="0.5"') +
        cell(p('1,70'), ' table:formula="of:=[.B2]+[.C2]" office:value-type="float" office:value="1.7"') +
        '</table:table-row>',
      '<table:table-row>' +
        '<table:covered-table-cell/>' +
        cell(p('2,35'), ' office:value-type="float" office:value="2.35"') +
        cell(p('0,60'), ' office:value-type="float" office:value="0.6"') +
        cell('', ' table:formula="of:=[.B3]+[.C3]" office:value-type="float" office:value="2.95"') +
        '</table:table-row>',
      // A merged cell over two columns.
      '<table:table-row>' +
        cell(p('QF 3'), '') +
        cell(p('gratuit'), ' table:number-columns-spanned="2"') +
        '<table:covered-table-cell/>' +
        cell(p('0'), ' office:value-type="float" office:value="0"') +
        '</table:table-row>',
      // LibreOffice pads every sheet with a million empty rows.
      '<table:table-row table:number-rows-repeated="1048571"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>',
      '</table:table>',
    ].join('');
    const sheet2 =
      '<table:table table:name="Horaires"><table:table-row>' +
      cell(p('Service')) +
      cell(p('Ouverture')) +
      '</table:table-row><table:table-row>' +
      cell(p('Accueil')) +
      cell(p('8 h 30 – 12 h')) +
      '</table:table-row></table:table>';
    const bytes = await makeOdf('spreadsheet', sheet1 + sheet2);
    const parsed = await parseFile({ bytes, fileName: 'tarifs_2025.ods' });
    expect(parsed.format).toBe('ods');
    expect(parsed.title).toBe('tarifs 2025');
    expect(parsed.sections.map((s) => s.markdown)).toEqual([
      'Quotient familial : QF 1 et 2 ; Repas : 1,20 ; Goûter : 0,50 ; Total : 1,70',
      'Quotient familial : QF 1 et 2 ; Repas : 2,35 ; Goûter : 0,60 ; Total : 2,95',
      'Quotient familial : QF 3 ; Repas : gratuit ; Goûter : gratuit ; Total : 0',
      'Service : Accueil ; Ouverture : 8 h 30 – 12 h',
    ]);
    expect(parsed.sections[0]).toMatchObject({ path: ['tarifs 2025', 'Cantine'], atomic: true });
    expect(parsed.sections[3].path).toEqual(['tarifs 2025', 'Horaires']);
    expect(parsed.metadata).toMatchObject({ rows: 4 });
    expect(parsed.markdown).toContain('## Horaires');
  });
});

describe('XLSX parser (exceljs)', () => {
  it('turns each sheet row into a record with its header labels', async () => {
    const bytes = await makeXlsx(
      [
        {
          name: 'Cantine',
          rows: [
            ['Quotient familial', 'Tarif repas', 'Date d’effet'],
            ['QF 1', 1.2, new Date(Date.UTC(2025, 8, 1))],
            ['QF 2', 2.35, null],
            ['QF 3 et plus', null, null],
          ],
          merge: ['B4:C4'],
          formulas: [['B4', 'B3*2', 4.7]],
        },
        {
          name: 'Contacts',
          rows: [
            ['service_municipal', 'telephone'],
            ['CCAS', '02 00 00 00 00'],
          ],
        },
      ],
      'Tarifs municipaux',
    );
    expect(detectFormat(bytes, 'x.bin')).toBe('xlsx');
    const parsed = await parseFile({ bytes, fileName: 'tarifs.xlsx' });
    expect(parsed.format).toBe('xlsx');
    expect(parsed.title).toBe('Tarifs municipaux');
    expect(parsed.sections.map((s) => s.markdown)).toEqual([
      'Quotient familial : QF 1 ; Tarif repas : 1,2 ; Date d’effet : 01/09/2025',
      'Quotient familial : QF 2 ; Tarif repas : 2,35',
      'Quotient familial : QF 3 et plus ; Tarif repas : 4,7 ; Date d’effet : 4,7',
      'Service municipal : CCAS ; Telephone : 02 00 00 00 00',
    ]);
    expect(parsed.sections[0]).toMatchObject({ path: ['Tarifs municipaux', 'Cantine'], atomic: true });
    expect(parsed.markdown).toContain('## Contacts');
  });

  it('refuses a 100,000-row workbook with a clear French message, before building it', async () => {
    const bytes = await makeLargeXlsx(100_000);
    const started = Date.now();
    const e = await refusal(parseFile({ bytes, fileName: 'registre.xlsx' }));
    expect(e.message).toMatch(
      /^Le classeur « registre\.xlsx » compte 100\s000 lignes ou plus : la limite est de 50\s000 lignes/,
    );
    expect(e.status).toBe(422);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('refuses a password-protected workbook instead of calling it an old .xls', async () => {
    const e = await refusal(parseFile({ bytes: makeEncryptedOffice(), fileName: 'budget.xlsx' }));
    expect(e.message).toMatch(/protégé par un mot de passe/);
    expect(e.status).toBe(422);
  });
});

describe('EML parser (postal-mime)', () => {
  it('keeps headers as metadata, the body as text, reads small attachments and lists them', async () => {
    const csv = Buffer.from('Jour;Horaires\nLundi;8 h 30 – 12 h\n');
    const bytes = makeEml({
      subject: 'Réponse : horaires de la mairie',
      text: 'Bonjour,\n\nLa mairie est ouverte le samedi matin de 9 h à 12 h.\n\nCordialement,\nL’accueil',
      attachments: [
        { name: 'horaires.csv', type: 'text/csv', data: csv },
        { name: 'photo.gif', type: 'image/gif', data: Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1') },
      ],
    });
    expect(detectFormat(bytes, 'message')).toBe('eml');
    const parsed = await parseFile({ bytes, fileName: 'message.eml' });
    expect(parsed.format).toBe('eml');
    expect(parsed.title).toBe('Réponse : horaires de la mairie');
    expect(parsed.metadata.email).toMatchObject({
      from: 'Mairie de Saint-Exemple <accueil@saint-exemple.fr>',
      to: 'Jeanne Dupont <jeanne.dupont@example.org>',
      messageId: '<123@saint-exemple.fr>',
      attachments: [
        { fileName: 'horaires.csv', mimeType: 'text/csv', bytes: csv.length, read: true },
        { fileName: 'photo.gif', mimeType: 'image/gif', read: false },
      ],
    });
    const all = parsed.sections.map((s) => s.markdown).join('\n');
    expect(all).toContain('De : Mairie de Saint-Exemple');
    expect(all).toContain('La mairie est ouverte le samedi matin de 9 h à 12 h.');
    expect(all).toContain('Lundi');
    expect(parsed.markdown).toContain('- photo.gif (image/gif');
    expect(parsed.warnings.join('\n')).toMatch(/photo\.gif.*non lue/);
  });

  it('lists a big attachment without reading it', async () => {
    const big = Buffer.alloc(12 * 1024 * 1024, 'a');
    const bytes = makeEml({
      subject: 'Plan',
      text: 'Voir le plan ci-joint.',
      attachments: [{ name: 'plan.txt', type: 'text/plain', data: big }],
    });
    const parsed = await parseFile({ bytes, fileName: 'plan.eml' });
    expect(parsed.warnings.join('\n')).toMatch(
      /« plan\.txt » \(12 Mo\) trop volumineuse : listée mais non lue/,
    );
    expect(parsed.markdown.length).toBeLessThan(2000);
    expect(parsed.markdown).toContain('Voir le plan ci-joint.');
  }, 30_000);

  it('does not take a text or Markdown file with a "From:" line for an e-mail', () => {
    expect(detectFormat(Buffer.from('From: la mairie\nObjet : travaux\n\nTexte.'), 'note.txt')).toBe('text');
    expect(detectFormat(Buffer.from('# Note\n\nFrom: x\nDate: y\n'), 'note.md')).toBe('markdown');
  });
});
