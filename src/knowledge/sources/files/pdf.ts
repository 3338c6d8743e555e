/**
 * PDF via unpdf (pdf.js): the text layer page by page, headings recovered from larger fonts, ALL
 * CAPS and numbered lines. Pages without text are reported; a document with no text at all (a
 * scan), an encrypted or a corrupted one is refused with a clear French message.
 */
import { AppError } from '../../../shared/errors.js';
import { renderBlocks, takeTitle, titleFromFileName } from './blocks.js';
import { pageLines, type PdfTextItem } from './pdf-lines.js';
import { buildSections } from './sections.js';
import type { ParsedFile, Parser } from './spec.js';
import { textLinesToBlocks, type TextLine } from './text-blocks.js';

// pdf.js is loaded on first use: it is heavy and most deployments never see a PDF at start-up.
type PdfDocument = Awaited<ReturnType<typeof import('unpdf').getDocumentProxy>>;

/**
 * Most pages read from one PDF. The page tree may list one page object many times (20,000
 * references in 120 KB): every reference counts against this limit, and a page met again is read
 * once (looking pages up in such a tree costs pdf.js time proportional to its size each time).
 */
export const MAX_PDF_PAGES = 2_000;

/**
 * Reads the pages of a mixed PDF that have no text layer (scanned pages among typed ones): page
 * number → recognised text, with warnings and what the document's metadata should say about it.
 * Null when none of them could be read.
 */
export type ScannedPagesReader = (
  bytes: Buffer,
  fileName: string,
  pages: number[],
) => Promise<{ text: Map<number, string>; warnings: string[]; metadata: Record<string, unknown> } | null>;

/** The PDF parser; `readScannedPages` fills the pages without text of a mixed document (OCR). */
export function makePdfParser(readScannedPages?: ScannedPagesReader): Parser {
  return {
    format: 'pdf',
    parse: (input) => parsePdf(input.bytes, input.fileName, readScannedPages),
  };
}

export const pdfParser: Parser = makePdfParser();

async function parsePdf(
  bytes: Buffer,
  fileName: string,
  readScannedPages?: ScannedPagesReader,
): Promise<ParsedFile> {
  const pdf = await openPdf(bytes, fileName);
  try {
    if (pdf.numPages > MAX_PDF_PAGES) {
      throw new AppError(
        'unprocessable',
        `Le fichier « ${fileName} » compte ${pdf.numPages.toLocaleString('fr-FR')} pages : la limite est de ${MAX_PDF_PAGES.toLocaleString('fr-FR')} pages par document. Découpez-le puis réessayez.`,
      );
    }
    const warnings: string[] = [];
    const pages: TextLine[][] = [];
    const seen = new Set<string>();
    const scanned: number[] = [];
    let emptyPages = 0;
    let repeated = 0;
    for (let n = 1; n <= pdf.numPages; n++) {
      const pageText = await readPage(pdf, n, seen);
      if (pageText === 'repeated') {
        repeated++;
        emptyPages++;
        continue;
      }
      if (pageText === null) {
        emptyPages++;
        warnings.push(`page ${n} : illisible (contenu endommagé), ignorée`);
      } else if (!pageText.some((l) => l.text.trim())) {
        emptyPages++;
        scanned.push(n);
      }
      pages[n] = pageText ?? [];
    }
    if (repeated) warnings.push(`${repeated} renvoi(s) vers une page déjà lue ignoré(s)`);
    if (emptyPages === pdf.numPages) {
      throw new AppError(
        'unprocessable',
        `Le fichier « ${fileName} » semble être un document numérisé sans texte : aucune page n'a de texte.`,
      );
    }
    // Pages without text among typed ones: scanned pages, read by OCR when a reader is given.
    let ocr: Record<string, unknown> = {};
    const read = scanned.length && readScannedPages ? await readScannedPages(bytes, fileName, scanned) : null;
    for (const n of scanned) {
      const text = read?.text.get(n);
      if (text?.trim()) {
        pages[n] = text.split('\n').map((t) => ({ text: t }));
        emptyPages--;
      } else if (!read) warnings.push(`page ${n} : aucun texte (page numérisée ?), ignorée`);
    }
    if (read) {
      warnings.push(...read.warnings);
      ocr = read.metadata;
    }
    const lines = pages.flatMap((p) => (p ? [...p, { text: '' }] : []));
    const info = await readInfo(pdf);
    const recovered = textLinesToBlocks(lines);
    const { title, blocks } = info.title
      ? { title: info.title, blocks: recovered }
      : takeTitle(recovered, titleFromFileName(fileName), true);
    return {
      title,
      markdown: renderBlocks(title, blocks),
      sections: buildSections(blocks),
      warnings,
      metadata: { pages: pdf.numPages, pagesWithoutText: emptyPages, ...info, ...ocr },
    };
  } finally {
    await pdf.destroy();
  }
}

async function openPdf(bytes: Buffer, fileName: string): Promise<PdfDocument> {
  const { getDocumentProxy } = await import('unpdf');
  try {
    return await getDocumentProxy(new Uint8Array(bytes), {
      verbosity: 0,
      isEvalSupported: false,
      stopAtErrors: false,
    });
  } catch (cause) {
    const name = (cause as { name?: string } | null)?.name;
    if (name === 'PasswordException') {
      throw new AppError(
        'unprocessable',
        `Le fichier « ${fileName} » est protégé par un mot de passe (PDF chiffré) : enregistrez-en une copie sans protection puis réessayez.`,
        { cause },
      );
    }
    throw new AppError(
      'unprocessable',
      `Le fichier PDF « ${fileName} » est endommagé ou illisible : il ne peut pas être analysé.`,
      { cause },
    );
  }
}

async function readPage(
  pdf: PdfDocument,
  n: number,
  seen: Set<string>,
): Promise<TextLine[] | null | 'repeated'> {
  try {
    const page = await pdf.getPage(n);
    const ref = (page as { ref?: { num: number; gen: number } | null }).ref;
    if (ref) {
      const key = `${ref.num} ${ref.gen}`;
      if (seen.has(key)) return 'repeated';
      seen.add(key);
    }
    const content = await page.getTextContent();
    page.cleanup();
    return pageLines(content.items as PdfTextItem[]);
  } catch {
    return null;
  }
}

async function readInfo(pdf: PdfDocument): Promise<{ title?: string; author?: string }> {
  try {
    const { info } = (await pdf.getMetadata()) as unknown as { info?: Record<string, unknown> };
    const title = typeof info?.Title === 'string' ? info.Title.trim() : '';
    const author = typeof info?.Author === 'string' ? info.Author.trim() : '';
    return { ...(title ? { title } : {}), ...(author ? { author } : {}) };
  } catch {
    return {};
  }
}
