/**
 * Scanned PDFs (pages that are pictures, no text layer): each page's picture — the largest JPEG
 * image drawn on it, as scanners write them — is read by offline OCR: every page when the text
 * layer gave nothing (null when no page picture can be read: the caller keeps its refusal), or
 * only the pages without text of a mixed document (typed pages and scanned ones).
 */
import { AppError, isAppError } from '../../../shared/errors.js';
import { OCR_LABEL, ocrToParsed } from './image.js';
import type { ScannedPagesReader } from './pdf.js';
import { checkImage, recognisePages } from './ocr.js';
import type { ParsedFile, ParseInput, Parser } from './spec.js';

/**
 * The picture of each page asked (all when `only` is absent): the largest JPEG image drawn on it,
 * checked before any decoding. Null when pdf-lib cannot read the file at all.
 */
async function pageImages(
  bytes: Buffer,
  fileName: string,
  only?: number[],
): Promise<{ images: { page: number; bytes: Buffer }[]; warnings: string[]; total: number } | null> {
  const { PDFDocument, PDFName, PDFDict, PDFRawStream, PDFArray } = await import('pdf-lib');
  let pdf;
  let pages;
  try {
    pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    pages = pdf.getPages();
  } catch {
    // Damaged beyond pdf-lib's lenient reading: the text-layer parser's refusal stands.
    return null;
  }
  const wanted = only ? new Set(only) : null;
  const images: { page: number; bytes: Buffer }[] = [];
  const warnings: string[] = [];
  for (const [n, page] of pages.entries()) {
    if (wanted && !wanted.has(n + 1)) continue;
    let best: { bytes: Buffer; area: number } | null = null;
    let xobjects: ReturnType<typeof page.node.normalizedEntries>['XObject'] | undefined;
    try {
      xobjects = page.node.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
    } catch {
      xobjects = undefined;
    }
    for (const [, ref] of xobjects?.entries() ?? []) {
      const obj = pdf.context.lookup(ref);
      if (!(obj instanceof PDFRawStream)) continue;
      const dict = obj.dict;
      if (dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
      const filter = dict.get(PDFName.of('Filter'));
      const filters = filter instanceof PDFArray ? filter.asArray() : [filter];
      if (filters.length !== 1 || filters[0] !== PDFName.of('DCTDecode')) continue;
      const w = Number(dict.get(PDFName.of('Width'))?.toString() ?? 0);
      const h = Number(dict.get(PDFName.of('Height'))?.toString() ?? 0);
      if (!best || w * h > best.area) best = { bytes: Buffer.from(obj.contents), area: w * h };
    }
    if (!best) {
      warnings.push(`page ${n + 1} : aucune image lisible par la reconnaissance de caractères, ignorée`);
      continue;
    }
    try {
      checkImage(best.bytes, `${fileName}, page ${n + 1}`, "L'image de la page");
      images.push({ page: n + 1, bytes: best.bytes });
    } catch (e) {
      if (!isAppError(e)) throw e;
      warnings.push(`page ${n + 1} : ${e.message}`);
    }
  }
  return { images, warnings, total: pages.length };
}

/** A PDF whose pages are all pictures (no text layer): every page read by OCR. */
export async function ocrScannedPdf({ bytes, fileName }: ParseInput): Promise<ParsedFile | null> {
  const found = await pageImages(bytes, fileName);
  if (!found?.images.length) return null;
  const result = await recognisePages(found.images.map((i) => i.bytes));
  result.warnings.unshift(...found.warnings);
  return ocrToParsed(result, fileName, found.total);
}

/** The scanned pages of a mixed PDF (typed pages and scans), read by OCR for the PDF parser. */
export const readScannedPages: ScannedPagesReader = async (bytes, fileName, pages) => {
  const found = await pageImages(bytes, fileName, pages);
  if (!found) return null;
  if (!found.images.length) return { text: new Map(), warnings: found.warnings, metadata: {} };
  const result = await recognisePages(found.images.map((i) => i.bytes));
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
        const ocr = await ocrScannedPdf(input);
        if (ocr) return ocr;
        // The text-layer parser's refusal of a scan predates OCR: say what OCR could not do.
        if (/numérisé/.test(e.message)) {
          throw new AppError(
            'unprocessable',
            `Le fichier « ${input.fileName} » semble être un document numérisé sans texte, et ses pages ne contiennent aucune image lisible par la reconnaissance de caractères (OCR : images JPEG seulement) : exportez-le en PDF avec texte, ou ses pages en images PNG ou JPEG.`,
            { cause: e },
          );
        }
        throw e;
      }
    },
  };
}
