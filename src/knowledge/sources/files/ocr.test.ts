/**
 * Offline OCR, kept tiny (the machine is shared): one image of French text printed by Chromium,
 * read as a JPEG file and as the only picture of a scanned PDF (pdf-lib, no text layer); a blank
 * page, a 20,000 × 20,000 image and a corrupt TIFF refused; page and time limits cut with a message.
 */
import { refusal } from '../../../../test/helpers/errors.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cer, renderRotatedTextImage, renderTextImage } from '../../../../test/fixtures/files/scan.js';
import { parseFile } from './index.js';
import { configSchema } from '../../../config/schema.js';
import { configureOcr, OCR_LIMITS, recognisePages } from './ocr.js';
import { ocrWithin, parsePool } from '../../../usecases/ingest-document.js';

const SOURCE = [
  'La mairie est ouverte du lundi au vendredi de 8 h 30 à 12 h.',
  'Le repas de cantine coûte 2,35 € pour le quotient familial 2.',
  'Les inscriptions scolaires se font en mairie avant le 30 juin.',
];

/** A PNG built byte by byte: `width` × `height` gray pixels of one value (header-only when `data` is false). */
function grayPng(width: number, height: number, value = 255, data = true): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type, 'latin1'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(tb));
    return Buffer.concat([len, tb, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  const raw = data ? Buffer.alloc((width + 1) * height, value) : Buffer.alloc(0);
  if (data) for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0; // filter byte
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let jpeg: Buffer | null = null;

describe('offline OCR (tesseract.js, French model from node_modules)', () => {
  beforeAll(async () => {
    jpeg = await renderTextImage(SOURCE, 'jpeg');
    if (!jpeg) console.warn('[ocr] Chromium absent (/usr/bin/chromium): printed-text OCR cases skipped');
  }, 60_000);
  afterAll(() => undefined);

  it('reads an image of French text (CER ≤ 3 %) and marks the document as OCR', async (ctx) => {
    if (!jpeg) return ctx.skip();
    const parsed = await parseFile({ bytes: jpeg, fileName: 'affiche.jpg' });
    expect(parsed.format).toBe('image');
    const text = parsed.sections.map((s) => s.markdown).join('\n');
    const rate = cer(SOURCE.join(' '), text);
    console.info(`[ocr] image CER = ${(rate * 100).toFixed(2)} %`);
    expect(rate).toBeLessThanOrEqual(0.03);
    expect(parsed.metadata.ocr).toMatchObject({
      label: 'texte reconnu automatiquement (OCR)',
      language: 'fra',
      pages: 1,
    });
    expect(parsed.warnings[0]).toMatch(/Texte reconnu automatiquement \(OCR\)/);
    // The model was read from node_modules, not cached (tesseract.js would write fra.traineddata here).
    expect(existsSync(join(process.cwd(), 'fra.traineddata'))).toBe(false);
  }, 120_000);

  it('reads a scanned PDF (a page that is only a picture) instead of refusing it', async (ctx) => {
    if (!jpeg) return ctx.skip();
    const pdf = await PDFDocument.create();
    const image = await pdf.embedJpg(jpeg);
    const page = pdf.addPage([image.width, image.height]);
    page.drawImage(image, { x: 0, y: 0, width: image.width, height: image.height });
    const parsed = await parseFile({ bytes: Buffer.from(await pdf.save()), fileName: 'deliberation.pdf' });
    expect(parsed.format).toBe('pdf');
    expect(cer(SOURCE.join(' '), parsed.sections.map((s) => s.markdown).join('\n'))).toBeLessThanOrEqual(
      0.03,
    );
    expect(parsed.metadata.ocr).toMatchObject({ pages: 1, totalPages: 1 });
  }, 120_000);

  it('applies documents.ocr inside the parsing workers, its time limit kept within the parse timeout', async (ctx) => {
    if (!jpeg) return ctx.skip();
    const pdf = await PDFDocument.create();
    const image = await pdf.embedJpg(jpeg);
    for (let i = 0; i < 2; i++) pdf.addPage([image.width, image.height]).drawImage(image, { x: 0, y: 0 });
    const documents = configSchema.parse({
      documents: { parse_workers: 1, parse_timeout_seconds: 90, ocr: { max_pages: 1, max_seconds: 600 } },
    }).documents;
    expect(ocrWithin(documents)).toEqual({ max_pages: 1, max_seconds: 81 });
    const pool = parsePool(documents);
    try {
      const r = await pool.run('a', {
        bytes: Buffer.from(await pdf.save()),
        fileName: 'deux-pages.pdf',
        externalId: 'deux-pages.pdf',
        maxBytes: 10 * 1024 * 1024,
        chunkTokens: 200,
        collectionId: 'c',
        collectionName: 'Collection',
        hash: 'h',
        userMetadata: {},
      });
      // The main thread's default (50 pages) would read both: the worker applied max_pages 1.
      expect(r.warnings.join('\n')).toMatch(/seules les 1 premières pages sur 2/);
    } finally {
      await pool.close();
    }
  }, 180_000);

  it('reads the scanned page of a mixed PDF (typed pages and a scan) in its place, marked as OCR', async (ctx) => {
    if (!jpeg) return ctx.skip();
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    const typed = (text: string) => pdf.addPage([600, 300]).drawText(text, { x: 40, y: 250, size: 14, font });
    typed('Délibération du conseil municipal : première page saisie.');
    const image = await pdf.embedJpg(jpeg);
    pdf.addPage([image.width, image.height]).drawImage(image, { x: 0, y: 0 });
    typed('Dernière page saisie : signature du maire.');
    const parsed = await parseFile({ bytes: Buffer.from(await pdf.save()), fileName: 'mixte.pdf' });
    const text = parsed.sections.map((s) => s.markdown).join('\n');
    const first = text.indexOf('première page saisie');
    const scan = text.indexOf('cantine');
    const last = text.indexOf('signature du maire');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(scan).toBeGreaterThan(first);
    expect(last).toBeGreaterThan(scan);
    expect(parsed.metadata).toMatchObject({
      pages: 3,
      pagesWithoutText: 0,
      ocr: { label: 'texte reconnu automatiquement (OCR)', pageNumbers: [2], totalPages: 3 },
    });
    expect(parsed.warnings[0]).toMatch(/Texte reconnu automatiquement \(OCR\) sur la page 2/);
  }, 120_000);

  it('straightens pages scanned sideways or upside down (Tesseract orientation detection, offline)', async (ctx) => {
    if (!jpeg) return ctx.skip();
    const turned = await Promise.all([90, 180].map((d) => renderRotatedTextImage(SOURCE, d)));
    const r = await recognisePages(turned as Buffer[], { limits: { workers: 1 } });
    expect(r.pages.map((p) => p.rotated)).toEqual([270, 180]);
    for (const p of r.pages) expect(cer(SOURCE.join(' '), p.text)).toBeLessThanOrEqual(0.03);
    expect(r.warnings).toContain("page 2 : numérisée à l'envers ou de côté, redressée (180°)");
    // An upright page is read once, never turned.
    const upright = await recognisePages([jpeg], { limits: { workers: 1 } });
    expect(upright.pages[0].rotated).toBeUndefined();
    expect(existsSync(join(process.cwd(), 'osd.traineddata'))).toBe(false);
  }, 180_000);

  it('refuses a blank page, a 20,000 × 20,000 image and a corrupt TIFF with French messages', async () => {
    const blank = await refusal(parseFile({ bytes: grayPng(120, 60), fileName: 'blanche.png' }));
    expect(blank.message).toMatch(/Aucun texte n'a été reconnu dans « blanche\.png »/);
    const started = Date.now();
    const huge = await refusal(
      parseFile({ bytes: grayPng(20_000, 20_000, 255, false), fileName: 'plan.png' }),
    );
    expect(huge.message).toMatch(/mesure 20000 × 20000 pixels : au-delà de 50 millions de pixels/);
    expect(Date.now() - started).toBeLessThan(1000); // refused from the header, never decoded
    const tiff = Buffer.concat([
      Buffer.from('II*\0', 'latin1'),
      Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]),
    ]);
    const corrupt = await refusal(parseFile({ bytes: tiff, fileName: 'arrete.tif' }));
    expect(corrupt.message).toBe("L'image « arrete.tif » est endommagée : elle ne peut pas être lue.");
  }, 60_000);

  it('cuts at the page limit and at the time limit, saying so', async () => {
    const page = grayPng(60, 30);
    const cut = await recognisePages([page, page, page], { limits: { maxPages: 1, workers: 1 } });
    expect(cut.pages).toHaveLength(1);
    expect(cut.warnings[0]).toBe(
      'Document coupé : seules les 1 premières pages sur 3 ont été lues par reconnaissance de caractères (limite de 1 pages).',
    );
    const late = await recognisePages([page], { limits: { maxMillis: 1, workers: 1 } });
    expect(late.pages).toHaveLength(0);
    expect(late.warnings.join('\n')).toMatch(/a dépassé 0 s ; 0 page\(s\) sur 1 ont été lues/);
  }, 60_000);

  it('takes its limits from documents.ocr in the configuration', () => {
    const saved = { ...OCR_LIMITS };
    try {
      const config = configSchema.parse({
        documents: { ocr: { max_pages: 3, max_seconds: 20, workers: 2 } },
      });
      configureOcr(config.documents.ocr);
      expect(OCR_LIMITS).toMatchObject({ maxPages: 3, maxMillis: 20_000, workers: 2 });
      expect(configSchema.parse({}).documents.ocr).toEqual({ max_pages: 50, max_seconds: 180 });
    } finally {
      Object.assign(OCR_LIMITS, saved);
    }
  });
});
