import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docxParts, makeDocx, makeZip } from '../../../../test/fixtures/files/make.js';
import { parseFile } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'guichet-docx-'));
function onDisk(name: string, bytes: Buffer): { bytes: Buffer; fileName: string } {
  writeFileSync(join(dir, name), bytes);
  return { bytes: readFileSync(join(dir, name)), fileName: name };
}
const MB = 1024 * 1024;

describe('DOCX parser', () => {
  it('keeps headings as paths, paragraphs and the table with its header', async () => {
    const parsed = await parseFile(onDisk('guide.docx', await makeDocx()));
    expect(parsed.format).toBe('docx');
    expect(parsed.title).toBe('Guide des aides municipales');
    expect(parsed.markdown).toContain('## Aide au transport scolaire');
    expect(parsed.markdown).toContain('| QF 2 | 2,35 € |');
    const all = parsed.sections.map((s) => s.markdown).join('\n\n');
    expect(all).toContain('Les collégiens reçoivent 45 € par trimestre sur justificatif.');
    const table = parsed.sections.find((s) => s.markdown.includes('| QF 2 | 2,35 € |'));
    expect(table?.markdown).toContain('| **Tranche** | **Tarif repas** |');
    expect(table?.atomic).toBe(true);
    expect(parsed.sections.every((s) => !s.path.includes('Guide des aides municipales'))).toBe(true);
  });

  it('refuses an entry with an abnormal compression ratio (zip bomb)', async () => {
    const bomb = makeZip([...docxParts(), { name: 'word/media/bomb.bin', data: Buffer.alloc(5 * MB) }]);
    expect(bomb.length).toBeLessThan(100_000);
    const err = await parseFile(onDisk('bombe.docx', bomb)).catch((e) => e);
    expect(err).toMatchObject({ code: 'unprocessable' });
    expect(err.message).toMatch(/taux de compression anormal/);
  });

  it('refuses an archive declaring more than 100 MB uncompressed', async () => {
    // Incompressible data, so that each entry's ratio (75 for 1) stays under the ratio limit.
    const zip = makeZip([
      ...docxParts(),
      { name: 'word/media/a.bin', data: randomBytes(MB), declaredSize: 75 * MB },
      { name: 'word/media/b.bin', data: randomBytes(MB), declaredSize: 75 * MB },
    ]);
    const err = await parseFile(onDisk('gros.docx', zip)).catch((e) => e);
    expect(err.message).toMatch(/150 Mo/);
  });

  it('refuses an entry bigger than it declares, without inflating it all', async () => {
    const zip = makeZip([
      ...docxParts(),
      { name: 'word/media/liar.bin', data: Buffer.alloc(2 * MB, 0x20), declaredSize: 1000 },
    ]);
    const err = await parseFile(onDisk('menteur.docx', zip)).catch((e) => e);
    expect(err).toMatchObject({ code: 'unprocessable' });
    expect(err.message).toMatch(/plus volumineux que la taille annoncée/);
  });

  it('refuses a corrupted DOCX with a clear message', async () => {
    const good = await makeDocx();
    const truncated = good.subarray(0, Math.floor(good.length / 2));
    const err = await parseFile(onDisk('casse.docx', truncated)).catch((e) => e);
    expect(err).toMatchObject({ code: 'unprocessable' });
    expect(err.message).toMatch(/endommagé/);
  });

  it('refuses other ZIP documents (pptx) as unsupported', async () => {
    const pptx = makeZip([{ name: 'ppt/presentation.xml', data: Buffer.from('<presentation/>') }]);
    const err = await parseFile(onDisk('diapos.pptx', pptx)).catch((e) => e);
    expect(err).toMatchObject({ code: 'unsupported_media_type' });
    expect(err.message).toMatch(/archive ZIP/);
  });
});
