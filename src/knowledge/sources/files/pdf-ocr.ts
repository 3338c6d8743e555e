/**
 * Scanned PDFs (pages that are pictures, no text layer): each page's picture — the largest JPEG
 * image drawn on it, as scanners write them — is read by offline OCR. Used only when the text
 * layer gave nothing; returns null when the PDF holds no page picture OCR can read (the caller
 * then keeps its own refusal).
 */
import { AppError, isAppError } from '../../../shared/errors.js';
import { ocrToParsed } from './image.js';
import { checkImage, recognisePages } from './ocr.js';
import type { ParsedFile, ParseInput, Parser } from './spec.js';

export async function ocrScannedPdf({ bytes, fileName }: ParseInput): Promise<ParsedFile | null> {
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
  const images: Buffer[] = [];
  const warnings: string[] = [];
  for (const [n, page] of pages.entries()) {
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
      images.push(best.bytes);
    } catch (e) {
      if (!isAppError(e)) throw e;
      warnings.push(`page ${n + 1} : ${e.message}`);
    }
  }
  if (!images.length) return null;
  const result = await recognisePages(images);
  result.warnings.unshift(...warnings);
  return ocrToParsed(result, fileName, pages.length);
}

/** The PDF parser, with OCR when the text layer is empty (a scan). */
export function withOcr(pdfParser: Parser): Parser {
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
