import { describe, expect, it } from 'vitest';
import { makePdf, makeZip } from '../../../../test/fixtures/files/make.js';
import { detectFormat } from './detect.js';
import { parseFile } from './index.js';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('detectFormat (by content)', () => {
  it('recognises each format by its bytes, whatever the extension says', async () => {
    expect(detectFormat(await makePdf([[{ text: 'x' }]]), 'notes.txt')).toBe('pdf');
    expect(detectFormat(b('<!DOCTYPE html><html><body><p>Bonjour</p></body></html>'), 'page.txt')).toBe(
      'html',
    );
    expect(detectFormat(b('  <html lang="fr"><p>x</p></html>'), 'sans-extension')).toBe('html');
    expect(detectFormat(b('{"services": [{"nom": "Mairie"}]}'), 'a.txt')).toBe('json');
    expect(detectFormat(b('[1, 2]'), 'liste')).toBe('json');
    expect(detectFormat(b('a;b;c\n1;2;3\n4;5;6\n'), 'tarifs.txt')).toBe('csv');
    expect(detectFormat(b('a\tb\n1\t2\n'), 'export.dat')).toBe('csv');
    expect(detectFormat(b('nom,tel\nMairie,0200\nCCAS,0201\n'), 'x')).toBe('csv');
    expect(detectFormat(b('Bonjour madame.\nVoici le texte, avec virgule.\n'), 'note.pdf')).toBe('text');
  });

  it('uses the extension only between Markdown and text', () => {
    const md = b('# Titre\n\nUn paragraphe.\n');
    expect(detectFormat(md, 'a.md')).toBe('markdown');
    expect(detectFormat(md, 'a.txt')).toBe('text');
    expect(detectFormat(md, 'a')).toBe('markdown');
    expect(detectFormat(b('| a | b |\n|---|---|\n| 1 | 2 |\n'), 'tableau')).toBe('markdown');
    expect(detectFormat(b('Simple texte.\n'), 'a.md')).toBe('markdown');
    expect(detectFormat(b('Simple texte.\n'), 'a')).toBe('text');
  });

  it('treats invalid JSON named .json as text when it is text', () => {
    expect(detectFormat(b('{ "nom": "Mairie", oups'), 'annuaire.json')).toBe('text');
  });

  it('refuses binary garbage and other archives as unsupported media', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    expect(() => detectFormat(garbage, 'fichier.json')).toThrowError(
      expect.objectContaining({ code: 'unsupported_media_type' }),
    );
    expect(() => detectFormat(Buffer.from('GIF89a\x01\x00', 'latin1'), 'scan.pdf')).toThrowError(/image GIF/);
    // PNG, JPEG and TIFF are read by OCR.
    expect(detectFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'scan.pdf')).toBe('image');
    expect(() => detectFormat(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), 'vieux.doc')).toThrowError(
      /\.docx/,
    );
    const odt = makeZip([{ name: 'content.xml', data: b('<office/>') }]);
    expect(() => detectFormat(odt, 'a.odp')).toThrowError(/OpenDocument/);
  });
});

describe('parseFile limits', () => {
  it('refuses an empty file', async () => {
    await expect(parseFile({ bytes: Buffer.alloc(0), fileName: 'x.txt' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'Le fichier « x.txt » est vide.',
    });
  });

  it('refuses a file over the size limit', async () => {
    await expect(
      parseFile({ bytes: Buffer.alloc(2048, 0x61), fileName: 'gros.txt', maxBytes: 1024 }),
    ).rejects.toMatchObject({
      code: 'payload_too_large',
    });
    const ok = await parseFile({ bytes: Buffer.alloc(1024, 0x61), fileName: 'limite.txt', maxBytes: 1024 });
    expect(ok.format).toBe('text');
  });
});
