/**
 * Scanned PDFs (pages that are pictures, no text layer): each page's picture — the largest image
 * drawn on it that OCR can read — is read by offline OCR: every page when the text layer gave
 * nothing (null when no page picture can be read: the caller keeps its refusal), or only the pages
 * without text of a mixed document (typed pages and scanned ones). Readable pictures: JPEG
 * (`/DCTDecode`, as most scanners write them) and raw pixels, `/FlateDecode` or unfiltered, 8-bit
 * gray or RGB (ICC-based too) and 1-bit black and white (`pdf-image.ts`: inflated within a bound
 * from the declared size, predictor undone, handed to Tesseract as a netpbm image). Other encodings
 * (CCITT fax, JBIG2, JPEG 2000, indexed colours, CMYK…) are skipped, the warning naming them.
 */
import { AppError, isAppError } from '../../../shared/errors.js';
import { OCR_LABEL, ocrToParsed } from './image.js';
import type { ScannedPagesReader } from './pdf.js';
import { rawToPnm, type RawImage } from './pdf-image.js';
import { checkImage, checkPixels, recognisePages, type OcrImage } from './ocr.js';
import type { ParsedFile, ParseInput, Parser } from './spec.js';
import type * as PdfLib from 'pdf-lib';

/** What the filters of the image encodings OCR does not read are called in the warnings. */
const ENCODINGS: Record<string, string> = {
  CCITTFaxDecode: 'codée en CCITT (fax)',
  JBIG2Decode: 'codée en JBIG2',
  JPXDecode: 'codée en JPEG 2000',
  LZWDecode: 'codée en LZW',
  RunLengthDecode: 'codée en RunLength',
};

type Candidate = { jpeg: Buffer } | { raw: RawImage } | { unsupported: string };

/**
 * The picture of each page asked (all when `only` is absent): the largest image drawn on it that
 * OCR can read, checked before any decoding (raw pictures are decoded once here, to refuse a
 * damaged stream or a decompression bomb with a warning, then again when their page is read).
 * Null when pdf-lib cannot read the file at all.
 */
async function pageImages(
  bytes: Buffer,
  fileName: string,
  only?: number[],
): Promise<{ images: { page: number; image: OcrImage }[]; warnings: string[]; total: number } | null> {
  const lib = await import('pdf-lib');
  const { PDFDocument, PDFName, PDFDict, PDFRawStream, PDFArray, PDFNumber, PDFBool, PDFStream } = lib;
  let pdf;
  let pages;
  try {
    pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    pages = pdf.getPages();
  } catch {
    // Damaged beyond pdf-lib's lenient reading: the text-layer parser's refusal stands.
    return null;
  }
  const context = pdf.context;
  const resolve = (o: PdfLib.PDFObject | undefined): PdfLib.PDFObject | undefined =>
    o ? context.lookup(o) : undefined;
  const num = (o: PdfLib.PDFObject | undefined, fallback: number) =>
    resolve(o) instanceof PDFNumber ? (resolve(o) as PdfLib.PDFNumber).asNumber() : fallback;
  const nameOf = (o: PdfLib.PDFObject | undefined) => {
    const r = resolve(o);
    return r instanceof PDFName ? r.decodeText() : null;
  };
  /** Components of a colour space (1 or 3), or what it is when OCR does not read it. */
  const components = (
    cs: PdfLib.PDFObject | undefined,
    named: PdfLib.PDFDict | undefined,
    depth = 0,
  ): 1 | 3 | string => {
    const value = resolve(cs);
    if (value instanceof PDFName) {
      const name = value.decodeText();
      if (name === 'DeviceGray' || name === 'CalGray') return 1;
      if (name === 'DeviceRGB' || name === 'CalRGB') return 3;
      if (name === 'DeviceCMYK') return 'en CMJN';
      // A colour space named in the page's resources.
      const defined = named?.get(value);
      if (defined && depth < 4) return components(defined, named, depth + 1);
      return `en couleurs ${name}`;
    }
    if (value instanceof PDFArray && value.size()) {
      const family = nameOf(value.get(0));
      if (family === 'CalGray') return 1;
      if (family === 'CalRGB') return 3;
      if (family === 'ICCBased') {
        const profile = resolve(value.get(1));
        const n = profile instanceof PDFStream ? num(profile.dict.get(PDFName.of('N')), 0) : 0;
        return n === 1 ? 1 : n === 3 ? 3 : n === 4 ? 'en CMJN' : 'en couleurs ICC inconnues';
      }
      if (family === 'Indexed') return 'en couleurs indexées';
      if (family === 'Separation' || family === 'DeviceN') return 'en séparation de couleurs';
      return `en couleurs ${family ?? 'inconnues'}`;
    }
    return 'sans espace de couleurs';
  };
  const candidate = (
    stream: PdfLib.PDFRawStream,
    named: PdfLib.PDFDict | undefined,
    width: number,
    height: number,
  ): Candidate => {
    const dict = stream.dict;
    const filter = resolve(dict.get(PDFName.of('Filter')));
    const filters = (filter instanceof PDFArray ? filter.asArray() : filter ? [filter] : []).map(
      (f) => nameOf(f) ?? '?',
    );
    if (filters.length > 1) return { unsupported: `à filtres multiples (${filters.join(', ')})` };
    if (filters[0] === 'DCTDecode') return { jpeg: Buffer.from(stream.contents) };
    if (filters.length && filters[0] !== 'FlateDecode')
      return { unsupported: ENCODINGS[filters[0]] ?? `codée en ${filters[0]}` };
    const mask = resolve(dict.get(PDFName.of('ImageMask')));
    const isMask = mask instanceof PDFBool && mask.asBoolean();
    const bits = isMask ? 1 : num(dict.get(PDFName.of('BitsPerComponent')), 0);
    const comps = isMask ? 1 : components(dict.get(PDFName.of('ColorSpace')), named);
    if (typeof comps === 'string') return { unsupported: comps };
    if (!bits) return { unsupported: 'sans profondeur de couleur déclarée' };
    if (!(bits === 8 || (bits === 1 && comps === 1)))
      return {
        unsupported: `à ${bits} bit${bits > 1 ? 's' : ''} par composante${comps === 3 ? ' (RVB)' : ''}`,
      };
    const decode = resolve(dict.get(PDFName.of('Decode')));
    const inverted =
      decode instanceof PDFArray && decode.size() >= 2 && num(decode.get(0), 0) > num(decode.get(1), 1);
    let parms = resolve(dict.get(PDFName.of('DecodeParms')));
    if (parms instanceof PDFArray) parms = resolve(parms.get(0));
    const parm = (key: string, fallback: number) =>
      parms instanceof PDFDict ? num(parms.get(PDFName.of(key)), fallback) : fallback;
    return {
      raw: {
        width,
        height,
        components: comps,
        bits,
        inverted,
        flate: filters[0] === 'FlateDecode',
        predictor: {
          predictor: parm('Predictor', 1),
          columns: parm('Columns', 1),
          colors: parm('Colors', 1),
          bits: parm('BitsPerComponent', 8),
        },
        data: stream.contents,
      },
    };
  };
  const wanted = only ? new Set(only) : null;
  const images: { page: number; image: OcrImage }[] = [];
  const warnings: string[] = [];
  for (const [n, page] of pages.entries()) {
    if (wanted && !wanted.has(n + 1)) continue;
    const label = `${fileName}, page ${n + 1}`;
    let best: { found: Candidate; area: number; width: number; height: number } | null = null;
    let largest: { unsupported: string; area: number } | null = null;
    const skipped = new Set<string>();
    let xobjects: PdfLib.PDFDict | undefined;
    let named: PdfLib.PDFDict | undefined;
    try {
      const resources = page.node.Resources();
      xobjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
      named = resources?.lookupMaybe(PDFName.of('ColorSpace'), PDFDict);
    } catch {
      xobjects = undefined;
    }
    for (const [, ref] of xobjects?.entries() ?? []) {
      const obj = context.lookup(ref);
      if (!(obj instanceof PDFRawStream)) continue;
      const dict = obj.dict;
      if (dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
      const width = num(dict.get(PDFName.of('Width')), 0);
      const height = num(dict.get(PDFName.of('Height')), 0);
      const area = width * height;
      let found: Candidate;
      try {
        found = candidate(obj, named, width, height);
      } catch {
        found = { unsupported: 'illisible' };
      }
      if ('unsupported' in found) {
        skipped.add(found.unsupported);
        if (!largest || area > largest.area) largest = { unsupported: found.unsupported, area };
      } else if (!best || area > best.area) best = { found, area, width, height };
    }
    if (!best) {
      const why = [...skipped].map((s) => `image ${s}`).join(', ');
      warnings.push(
        `page ${n + 1} : aucune image lisible par la reconnaissance de caractères${why ? ` (${why}, non prise en charge)` : ''}, ignorée`,
      );
      continue;
    }
    if (largest && largest.area > best.area) {
      warnings.push(
        `page ${n + 1} : la plus grande image (${largest.unsupported}) n'est pas prise en charge par la reconnaissance de caractères ; seule une image plus petite a été lue`,
      );
    }
    try {
      const found = best.found;
      if ('jpeg' in found) {
        checkImage(found.jpeg, label, "L'image de la page");
        images.push({ page: n + 1, image: found.jpeg });
      } else if ('raw' in found) {
        const { width, height } = best;
        if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
          throw new AppError(
            'unprocessable',
            `L'image de la page « ${label} » est endommagée : elle ne peut pas être lue.`,
          );
        checkPixels(width, height, label, "L'image de la page");
        rawToPnm(found.raw, label);
        images.push({ page: n + 1, image: () => rawToPnm(found.raw, label) });
      }
    } catch (e) {
      if (!isAppError(e)) throw e;
      warnings.push(`page ${n + 1} : ${e.message}`);
    }
  }
  return { images, warnings, total: pages.length };
}

/**
 * A PDF whose pages are all pictures (no text layer): every page read by OCR. Null when no page
 * picture can be read; `skipped` then gets the page warnings saying why.
 */
export async function ocrScannedPdf(
  { bytes, fileName }: ParseInput,
  skipped: string[] = [],
): Promise<ParsedFile | null> {
  const found = await pageImages(bytes, fileName);
  if (!found?.images.length) {
    skipped.push(...(found?.warnings ?? []));
    return null;
  }
  const result = await recognisePages(found.images.map((i) => i.image));
  result.warnings.unshift(...found.warnings);
  return ocrToParsed(result, fileName, found.total);
}

/** The scanned pages of a mixed PDF (typed pages and scans), read by OCR for the PDF parser. */
export const readScannedPages: ScannedPagesReader = async (bytes, fileName, pages) => {
  const found = await pageImages(bytes, fileName, pages);
  if (!found) return null;
  if (!found.images.length) return { text: new Map(), warnings: found.warnings, metadata: {} };
  const result = await recognisePages(found.images.map((i) => i.image));
  const text = new Map<number, string>();
  for (const p of result.pages) text.set(found.images[p.page - 1].page, p.text);
  const read = [...text.keys()].sort((a, b) => a - b);
  return {
    text,
    warnings: [
      ...(read.length
        ? [
            `Texte reconnu automatiquement (OCR) sur ${read.length > 1 ? 'les pages' : 'la page'} ${read.join(', ')} : vérifiez les passages cités.`,
          ]
        : []),
      ...found.warnings,
      ...result.warnings,
    ],
    metadata: read.length
      ? {
          ocr: {
            label: OCR_LABEL,
            engine: 'tesseract.js',
            language: 'fra',
            pages: read.length,
            pageNumbers: read,
            totalPages: found.total,
            millis: result.millis,
          },
        }
      : {},
  };
};

/** The PDF parser, with OCR of the scanned pages, or of the whole document when it is a scan. */
export function withOcr(makeParser: (reader: ScannedPagesReader) => Parser): Parser {
  const pdfParser = makeParser(readScannedPages);
  return {
    format: 'pdf',
    async parse(input) {
      try {
        return await pdfParser.parse(input);
      } catch (e) {
        if (!isAppError(e)) throw e;
        const skipped: string[] = [];
        const ocr = await ocrScannedPdf(input, skipped);
        if (ocr) return ocr;
        // The text-layer parser's refusal of a scan predates OCR: say what OCR could not do.
        if (/numérisé/.test(e.message)) {
          const detail = skipped.length
            ? ` Détail : ${skipped.slice(0, 3).join(' ; ')}${skipped.length > 3 ? ` ; et ${skipped.length - 3} autre(s) page(s)` : ''}.`
            : '';
          throw new AppError(
            'unprocessable',
            `Le fichier « ${input.fileName} » semble être un document numérisé sans texte, et ses pages ne contiennent aucune image lisible par la reconnaissance de caractères (OCR : images JPEG, ou pixels bruts — compression Flate ou aucune — en niveaux de gris, couleurs RVB ou noir et blanc) : exportez-le en PDF avec texte, ou ses pages en images PNG ou JPEG.${detail}`,
            { cause: e },
          );
        }
        throw e;
      }
    },
  };
}
