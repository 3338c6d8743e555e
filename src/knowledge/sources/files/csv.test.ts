import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseFile } from './index.js';

describe('CSV parser', () => {
  it('turns each row into an atomic section with its column labels, decimal commas kept', async () => {
    const csv =
      'Quotient familial;Tarif repas;Remarque\r\nQF 1;1,20 €;\r\nQF 2;2,35 €;"repas; goûter compris"\r\n';
    const parsed = await parseFile({
      bytes: iconv.encode(csv, 'windows-1252'),
      fileName: 'tarifs_cantine.csv',
    });
    expect(parsed.format).toBe('csv');
    expect(parsed.metadata).toMatchObject({ encoding: 'windows-1252', delimiter: ';', rows: 2 });
    expect(parsed.title).toBe('tarifs cantine');
    expect(parsed.sections).toEqual([
      { path: ['tarifs cantine'], markdown: 'Quotient familial : QF 1 ; Tarif repas : 1,20 €', atomic: true },
      {
        path: ['tarifs cantine'],
        markdown: 'Quotient familial : QF 2 ; Tarif repas : 2,35 € ; Remarque : repas; goûter compris',
        atomic: true,
      },
    ]);
    expect(parsed.markdown).toContain('| Quotient familial | Tarif repas | Remarque |');
    expect(parsed.markdown).toContain('| QF 2 | 2,35 € | repas; goûter compris |');
  });

  it('detects tab and comma delimiters and humanises snake_case labels', async () => {
    const tab = await parseFile({
      bytes: Buffer.from('nom_service\ttelephone\nCCAS\t02 00\n'),
      fileName: 'a.tsv',
    });
    expect(tab.sections[0].markdown).toBe('Nom service : CCAS ; Telephone : 02 00');
    const comma = await parseFile({ bytes: Buffer.from('a,b\n"1,5",2\n3,4\n'), fileName: 'b.csv' });
    expect(comma.metadata.delimiter).toBe(',');
    expect(comma.sections[0].markdown).toBe('A : 1,5 ; B : 2');
  });

  it('warns about rows whose column count differs from the header', async () => {
    const parsed = await parseFile({ bytes: Buffer.from('a;b\n1;2\n3;4\n0;0\n5;6;7\n'), fileName: 'c.csv' });
    expect(parsed.warnings[0]).toMatch(/1 ligne\(s\)/);
    expect(parsed.sections[3].markdown).toBe('A : 5 ; B : 6 ; Colonne 3 : 7');
  });
});
