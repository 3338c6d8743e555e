import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeEncryptedPdf, makePdf } from '../../../../test/fixtures/files/make.js';
import { parseFile } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'guichet-pdf-'));
function onDisk(name: string, bytes: Buffer): { bytes: Buffer; fileName: string } {
  writeFileSync(join(dir, name), bytes);
  return { bytes: readFileSync(join(dir, name)), fileName: name };
}

describe('PDF parser', () => {
  it('reads the text layer, recovers headings and reports a page without text', async () => {
    const pdf = await makePdf([
      [
        { text: 'Guide de la mairie', size: 20 },
        { text: '' },
        { text: "HORAIRES D'OUVERTURE" },
        { text: 'Le lundi de 9h à 12h et de 14h à 17h.' },
        { text: 'Le samedi matin sur rendez-vous.' },
        { text: '' },
        { text: "1. Cartes d'identité" },
        { text: '' },
        { text: 'Dépôt uniquement sur rendez-vous au 02 00 00 00 00.' },
      ],
      [],
      [{ text: 'Article 3 - Tarifs' }, { text: "La copie d'acte est gratuite." }],
    ]);
    const parsed = await parseFile(onDisk('guide.pdf', pdf));
    expect(parsed.format).toBe('pdf');
    expect(parsed.title).toBe('Guide de la mairie');
    expect(parsed.warnings).toEqual([
      'page 2 : aucune image lisible par la reconnaissance de caractères, ignorée',
    ]);
    expect(parsed.metadata).toMatchObject({ pages: 3, pagesWithoutText: 1 });
    const text = parsed.sections.map((s) => `${s.path.join(' › ')}\n${s.markdown}`).join('\n\n');
    expect(text).toContain("HORAIRES D'OUVERTURE");
    expect(text).toContain('Le lundi de 9h à 12h et de 14h à 17h.\nLe samedi matin sur rendez-vous.');
    expect(parsed.markdown).toMatch(/^#+ 1\. Cartes d'identité$/m);
    expect(parsed.markdown).toMatch(/^#+ Article 3 - Tarifs$/m);
  });

  it('keeps the PDF title from the document properties', async () => {
    const parsed = await parseFile(
      onDisk('x.pdf', await makePdf([[{ text: 'Bonjour à tous.' }]], 'Compte rendu du conseil')),
    );
    expect(parsed.title).toBe('Compte rendu du conseil');
    expect(parsed.sections[0].markdown).toBe('Bonjour à tous.');
  });

  it('refuses a scan (no page with text) with a clear OCR message', async () => {
    const err = await parseFile(onDisk('scan.pdf', await makePdf([[], []]))).catch((e) => e);
    expect(err).toMatchObject({ code: 'unprocessable' });
    expect(err.message).toContain(
      'document numérisé sans texte, et ses pages ne contiennent aucune image lisible par la reconnaissance de caractères',
    );
  });

  it('refuses an encrypted PDF', async () => {
    const err = await parseFile(onDisk('secret.pdf', makeEncryptedPdf())).catch((e) => e);
    expect(err).toMatchObject({ code: 'unprocessable' });
    expect(err.message).toMatch(/mot de passe/);
  });

  it('refuses a corrupted PDF', async () => {
    const pdf = await makePdf([[{ text: 'Bonjour' }]]);
    const broken = Buffer.concat([pdf.subarray(0, 20), Buffer.alloc(200, 0x41)]);
    const err = await parseFile(onDisk('casse.pdf', broken)).catch((e) => e);
    expect(err).toMatchObject({ code: 'unprocessable' });
    expect(err.message).toMatch(/endommagé/);
  });

  it('parses a PDF named .txt by its content', async () => {
    const parsed = await parseFile(
      onDisk('menteur.txt', await makePdf([[{ text: 'Contenu réel du PDF.' }]])),
    );
    expect(parsed.format).toBe('pdf');
    expect(parsed.sections[0].markdown).toContain('Contenu réel du PDF.');
  });
});
