import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseFile } from './index.js';

const long = (words: string) => `${words} `.repeat(40).trim();

describe('text parser', () => {
  it('decodes Windows-1252 and recovers ALL CAPS, underlined, numbered and article headings', async () => {
    const text = [
      'RÈGLEMENT DU CIMETIÈRE COMMUNAL',
      '',
      'DISPOSITIONS GÉNÉRALES',
      '',
      long('Le cimetière est ouvert tous les jours.'),
      '',
      'Article 3 – Concessions',
      long('Les concessions sont accordées pour quinze ou trente ans.'),
      '',
      'Tarifs des concessions',
      '======================',
      '',
      '1. Concession de quinze ans',
      '',
      'Le tarif est de 150 € (cent cinquante euros).',
      long('Le paiement se fait à la régie.'),
    ].join('\r\n');
    const bytes = iconv.encode(text, 'windows-1252');
    expect(bytes.includes(Buffer.from('È', 'utf8'))).toBe(false);
    const parsed = await parseFile({ bytes, fileName: 'reglement.txt' });
    expect(parsed.format).toBe('text');
    expect(parsed.metadata.encoding).toBe('windows-1252');
    expect(parsed.title).toBe('RÈGLEMENT DU CIMETIÈRE COMMUNAL');
    const paths = parsed.sections.map((s) => s.path);
    expect(paths).toContainEqual(['DISPOSITIONS GÉNÉRALES']);
    expect(paths).toContainEqual(['DISPOSITIONS GÉNÉRALES', 'Article 3 – Concessions']);
    expect(paths).toContainEqual(['Tarifs des concessions', '1. Concession de quinze ans']);
    const tarif = parsed.sections.find((s) => s.path.includes('1. Concession de quinze ans'));
    expect(tarif?.markdown).toContain('Le tarif est de 150 € (cent cinquante euros).');
    expect(parsed.markdown).toContain('## Tarifs des concessions');
  });

  it('handles a UTF-8 BOM and keeps paragraphs together', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('Première ligne\ndeuxième ligne.\n\nAutre paragraphe.', 'utf8'),
    ]);
    const parsed = await parseFile({ bytes, fileName: 'note.txt' });
    expect(parsed.metadata.encoding).toBe('utf-8');
    expect(parsed.sections).toEqual([
      // A line break inside a sentence is a space.
      { path: [], markdown: 'Première ligne deuxième ligne.\n\nAutre paragraphe.' },
    ]);
  });

  it('does not take list items or sentences for headings', async () => {
    const parsed = await parseFile({
      bytes: Buffer.from(
        "Pièces à fournir :\n\n1. une pièce d'identité ;\n2. un justificatif de domicile.\n",
        'utf8',
      ),
      fileName: 'pieces.txt',
    });
    expect(parsed.markdown).not.toMatch(/^#+ 1\./m);
    expect(parsed.sections).toHaveLength(1);
  });
});
