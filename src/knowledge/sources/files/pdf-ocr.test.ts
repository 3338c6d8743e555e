/**
 * Scanned PDFs whose page pictures are raw pixels (no JPEG): French text printed by Chromium,
 * decoded to pixels in the test and written by hand into PDFs (`assemblePdf`) as `/FlateDecode`
 * or unfiltered 8-bit gray, RGB with a PNG predictor under an ICC-based colour space, 1-bit gray
 * and 1-bit image masks — each read by real offline OCR (CER ≤ 3 %). A decompression bomb, a
 * 20,000 × 20,000 picture and encodings OCR does not read give French warnings, never a crash.
 */
import { refusal } from '../../../../test/helpers/errors.js';
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanPdf, type Picture } from '../../../../test/fixtures/files/make.js';
import { cer, renderTextPixels, toBits, toGray, type Pixels } from '../../../../test/fixtures/files/scan.js';
import { parseFile } from './index.js';
import { rawToPnm } from './pdf-image.js';

const SOURCE = [
  'La mairie est ouverte du lundi au vendredi de 8 h 30 à 12 h.',
  'Le repas de cantine coûte 2,35 € pour le quotient familial 2.',
  'Les inscriptions scolaires se font en mairie avant le 30 juin.',
];

const text = (parsed: { sections: { markdown: string }[] }) =>
  parsed.sections.map((s) => s.markdown).join('\n');

/** Parses a scanned PDF of `pages` pages, each showing SOURCE, and checks the text read (CER ≤ 3 %). */
async function expectRead(pdf: Buffer, fileName: string, label: string, pages: number) {
  const parsed = await parseFile({ bytes: pdf, fileName });
  expect(parsed.format).toBe('pdf');
  const rate = cer(Array.from({ length: pages }, () => SOURCE.join(' ')).join(' '), text(parsed));
  console.info(`[pdf-ocr] ${label} CER = ${(rate * 100).toFixed(2)} %`);
  expect(rate).toBeLessThanOrEqual(0.03);
  expect(parsed.metadata.ocr).toMatchObject({ pages, totalPages: pages });
}

let pixels: Pixels | null = null;

describe('scanned PDFs with raw-pixel page pictures (Flate or unfiltered), read by OCR', () => {
  beforeAll(async () => {
    pixels = await renderTextPixels(SOURCE);
    // Under CI Chromium is required: its absence fails here instead of skipping.
    if (!pixels && process.env.CI === 'true')
      throw new Error('Chromium (/usr/bin/chromium) is required under CI');
    if (!pixels) console.warn('[pdf-ocr] Chromium absent (/usr/bin/chromium): printed-text cases skipped');
  }, 60_000);

  it('reads 8-bit gray pictures (Flate; unfiltered with /Decode [1 0]), the largest image of the page', async (ctx) => {
    if (!pixels) return ctx.skip();
    const { width, height } = pixels;
    const gray = toGray(pixels);
    const inverted = Buffer.from(gray.map((v) => 255 - v));
    const pdf = scanPdf([
      {
        pictures: [
          // A small blank picture (a logo) drawn first: the page's largest picture is read.
          {
            width: 40,
            height: 40,
            dict: '/ColorSpace /DeviceGray /BitsPerComponent 8',
            data: Buffer.alloc(1600, 255),
          },
          {
            width,
            height,
            dict: '/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode',
            data: deflateSync(gray),
          },
        ],
      },
      {
        pictures: [
          { width, height, dict: '/ColorSpace ICC_GRAY /BitsPerComponent 8 /Decode [1 0]', data: inverted },
        ],
      },
    ]);
    await expectRead(pdf, 'gris.pdf', '8-bit gray', 2);
  }, 120_000);

  it('reads an RGB picture with a PNG predictor (/Predictor 15) under an ICC-based colour space', async (ctx) => {
    if (!pixels) return ctx.skip();
    const { width, height } = pixels;
    const pdf = scanPdf([
      {
        pictures: [
          {
            width,
            height,
            dict: `/ColorSpace ICC_RGB /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 /Columns ${width} /BitsPerComponent 8 >>`,
            // Chromium's PNG rows, filter bytes included: exactly what a PDF PNG-predicted stream holds.
            data: deflateSync(pixels.predicted),
          },
        ],
      },
    ]);
    await expectRead(pdf, 'couleur.pdf', 'RGB + PNG predictor', 1);
  }, 120_000);

  it('reads 1-bit pictures: DeviceGray (Flate, 0 is black) and an unfiltered image mask with /Decode [1 0]', async (ctx) => {
    if (!pixels) return ctx.skip();
    const { width, height } = pixels;
    const pdf = scanPdf([
      {
        pictures: [
          {
            width,
            height,
            dict: '/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode',
            data: deflateSync(toBits(pixels, 0)),
          },
        ],
      },
      {
        pictures: [{ width, height, dict: '/ImageMask true /Decode [1 0]', data: toBits(pixels, 1) }],
      },
    ]);
    await expectRead(pdf, 'noir-et-blanc.pdf', '1-bit', 2);
  }, 120_000);

  it('refuses a decompression bomb, a 20,000 × 20,000 picture and unread encodings with French warnings', async () => {
    // 64 MB of zeros in 64 KB, declared as a 100 × 100 gray picture (10 KB).
    const bomb: Picture = {
      width: 100,
      height: 100,
      dict: '/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode',
      data: deflateSync(Buffer.alloc(64 * 1024 * 1024)),
    };
    const huge: Picture = {
      width: 20_000,
      height: 20_000,
      dict: '/ImageMask true /Filter /FlateDecode',
      data: deflateSync(Buffer.alloc(1000)),
    };
    const other = (dict: string): Picture => ({ width: 800, height: 1000, dict, data: Buffer.alloc(100, 7) });
    const started = Date.now();
    const refused = await refusal(
      parseFile({
        bytes: scanPdf([
          { pictures: [bomb] },
          { pictures: [huge] },
          { pictures: [other('/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode')] },
          {
            pictures: [
              other(
                '/ColorSpace [/Indexed /DeviceRGB 1 <000000ffffff>] /BitsPerComponent 8 /Filter /FlateDecode',
              ),
            ],
          },
          { pictures: [other('/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode')] },
        ]),
        fileName: 'piege.pdf',
      }),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(refused.message).toMatch(/^Le fichier « piege\.pdf » semble être un document numérisé sans texte/);
    expect(refused.message).toContain(
      "page 1 : L'image de la page « piege.pdf, page 1 » se décompresse bien au-delà de sa taille annoncée (100 × 100 pixels) : fichier piégé ou endommagé, elle n'est pas lue.",
    );
    expect(refused.message).toContain(
      "page 2 : L'image de la page « piege.pdf, page 2 » mesure 20000 × 20000 pixels",
    );
    expect(refused.message).toContain(
      'page 3 : aucune image lisible par la reconnaissance de caractères (image codée en JBIG2, non prise en charge), ignorée',
    );
    expect(refused.message).toContain('et 2 autre(s) page(s)');

    // In a mixed document the typed page is kept and each skipped scan is named in a warning.
    const parsed = await parseFile({
      bytes: scanPdf([
        { pictures: [], text: 'Deliberation du conseil municipal : page saisie.' },
        { pictures: [bomb] },
        { pictures: [other('/ColorSpace [/Indexed /DeviceRGB 1 <000000ffffff>] /BitsPerComponent 8')] },
        { pictures: [other('/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode')] },
        { pictures: [other('/ColorSpace /DeviceCMYK /BitsPerComponent 8 /Filter /FlateDecode')] },
      ]),
      fileName: 'mixte.pdf',
    });
    expect(text(parsed)).toContain('page saisie');
    expect(parsed.warnings).toEqual([
      "page 2 : L'image de la page « mixte.pdf, page 2 » se décompresse bien au-delà de sa taille annoncée (100 × 100 pixels) : fichier piégé ou endommagé, elle n'est pas lue.",
      'page 3 : aucune image lisible par la reconnaissance de caractères (image en couleurs indexées, non prise en charge), ignorée',
      'page 4 : aucune image lisible par la reconnaissance de caractères (image codée en CCITT (fax), non prise en charge), ignorée',
      'page 5 : aucune image lisible par la reconnaissance de caractères (image en CMJN, non prise en charge), ignorée',
    ]);
  }, 30_000);

  it('writes netpbm images: P5, P6, P4 (1 is black), a damaged or short stream handled', () => {
    const base = {
      width: 3,
      height: 2,
      inverted: false,
      flate: true,
      predictor: { predictor: 1, columns: 1, colors: 1, bits: 8 },
    };
    const gray = rawToPnm(
      { ...base, components: 1, bits: 8, data: deflateSync(Buffer.from([0, 128, 255, 1, 2, 3])) },
      'x',
    );
    expect(gray).toEqual(Buffer.concat([Buffer.from('P5\n3 2\n255\n'), Buffer.from([0, 128, 255, 1, 2, 3])]));
    // `/Decode [1 0]` on 8-bit samples: 0 is white.
    const negative = rawToPnm(
      {
        ...base,
        components: 1,
        bits: 8,
        inverted: true,
        flate: false,
        data: Buffer.from([0, 255, 10, 0, 0, 0]),
      },
      'x',
    );
    expect([...negative.subarray(-6)]).toEqual([255, 0, 245, 255, 255, 255]);
    // PNG predictors None (0), Up (2), Average (3), Sub (1); the fourth row's bytes cut short, white.
    const rows = Buffer.from([0, 10, 20, 30, 2, 1, 1, 1, 3, 0, 0, 0, 1, 5, 1]);
    const up = rawToPnm(
      {
        ...base,
        height: 4,
        components: 1,
        bits: 8,
        predictor: { predictor: 12, columns: 3, colors: 1, bits: 8 },
        data: deflateSync(rows),
      },
      'x',
    );
    expect([...up.subarray(-12)]).toEqual([10, 20, 30, 11, 21, 31, 5, 13, 22, 255, 255, 255]);
    const short = rawToPnm(
      { ...base, components: 3, bits: 8, data: deflateSync(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9])) },
      'x',
    );
    expect(short.toString('latin1', 0, 11)).toBe('P6\n3 2\n255\n');
    expect([...short.subarray(11)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, ...Array(9).fill(255)]);
    // 1-bit gray: PDF 0 (black) becomes PBM 1.
    const bits = rawToPnm(
      { ...base, components: 1, bits: 1, flate: false, data: Buffer.from([0b01011111, 0b11111111]) },
      'x',
    );
    expect(bits).toEqual(Buffer.concat([Buffer.from('P4\n3 2\n'), Buffer.from([0b10100000, 0])]));
    expect(() =>
      rawToPnm({ ...base, components: 1, bits: 8, data: Buffer.from('pas du zlib') }, 'a.pdf, page 1'),
    ).toThrow("L'image de la page « a.pdf, page 1 » est endommagée : elle ne peut pas être lue.");
  });
});
