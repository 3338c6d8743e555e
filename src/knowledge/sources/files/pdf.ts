/**
 * PDF via unpdf (pdf.js): the text layer page by page, headings recovered from larger fonts, ALL
 * CAPS and numbered lines. Pages without text are reported; a document with no text at all (a
 * scan), an encrypted or a corrupted one is refused with a clear French message.
 */
import { AppError } from '../../../shared/errors.js';
import { renderBlocks, takeTitle, titleFromFileName } from './blocks.js';
import { pageLines, type PdfTextItem } from './pdf-lines.js';
import { buildSections } from './sections.js';
import type { Parser } from './spec.js';
import { textLinesToBlocks, type TextLine } from './text-blocks.js';

// pdf.js is loaded on first use: it is heavy and most deployments never see a PDF at start-up.
type PdfDocument = Awaited<ReturnType<typeof import('unpdf').getDocumentProxy>>;

export const pdfParser: Parser = {
  format: 'pdf',
  async parse({ bytes, fileName }) {
    const pdf = await openPdf(bytes, fileName);
    try {
      const warnings: string[] = [];
      const lines: TextLine[] = [];
      let emptyPages = 0;
      for (let n = 1; n <= pdf.numPages; n++) {
        const pageText = await readPage(pdf, n);
        if (pageText === null) {
          emptyPages++;
          warnings.push(`page ${n} : illisible (contenu endommagé), ignorée`);
        } else if (!pageText.some((l) => l.text.trim())) {
          emptyPages++;
          warnings.push(
            `page ${n} : aucun texte (document numérisé ? la reconnaissance de caractères n'est pas encore prise en charge)`,
          );
        }
        lines.push(...(pageText ?? []), { text: '' });
      }
      if (emptyPages === pdf.numPages) {
        throw new AppError(
          'unprocessable',
          `Le fichier « ${fileName} » semble être un document numérisé sans texte : la reconnaissance de caractères (OCR) n'est pas encore prise en charge.`,
        );
      }
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
        metadata: { pages: pdf.numPages, pagesWithoutText: emptyPages, ...info },
      };
    } finally {
      await pdf.destroy();
    }
  },
};

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

async function readPage(pdf: PdfDocument, n: number): Promise<TextLine[] | null> {
  try {
    const page = await pdf.getPage(n);
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
