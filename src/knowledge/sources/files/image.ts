/**
 * Images (PNG, JPEG, TIFF: a scanned page, a photo of a notice) read by offline OCR (ocr.ts), and
 * the shared step that turns OCR'd pages into a document: lines → headings and paragraphs, every
 * passage of the document marked as recognised automatically (`metadata.ocr`).
 */
import { AppError } from '../../../shared/errors.js';
import { renderBlocks, titleFromFileName, type Block } from './blocks.js';
import { checkImage, recognisePages, type OcrResult } from './ocr.js';
import { buildSections } from './sections.js';
import type { ParsedFile, Parser } from './spec.js';
import { textLinesToBlocks } from './text-blocks.js';

/** The label citations of such passages carry. */
export const OCR_LABEL = 'texte reconnu automatiquement (OCR)';

export const imageParser: Parser = {
  format: 'image',
  async parse({ bytes, fileName }) {
    checkImage(bytes, fileName);
    const result = await recognisePages([bytes]);
    return ocrToParsed(result, fileName, 1);
  },
};

export function ocrToParsed(result: OcrResult, fileName: string, totalPages: number): ParsedFile {
  const blocks: Block[] = [];
  for (const page of result.pages) {
    blocks.push(
      ...textLinesToBlocks(
        page.text.split('\n').map((text) => ({ text })),
        { unwrap: false },
      ),
    );
  }
  if (!blocks.length) {
    throw new AppError(
      'unprocessable',
      `Aucun texte n'a été reconnu dans « ${fileName} » (page blanche, image illisible ou trop floue ?).${
        result.warnings.length ? ` ${result.warnings.join(' ; ')}` : ''
      }`,
    );
  }
  const title = titleFromFileName(fileName);
  const confidence = result.pages.length
    ? Math.round(result.pages.reduce((n, p) => n + p.confidence, 0) / result.pages.length)
    : 0;
  return {
    title,
    markdown: renderBlocks(title, blocks),
    sections: buildSections(blocks),
    warnings: [`Texte reconnu automatiquement (OCR) : vérifiez les passages cités.`, ...result.warnings],
    metadata: {
      ocr: {
        label: OCR_LABEL,
        engine: 'tesseract.js',
        language: 'fra',
        pages: result.pages.length,
        totalPages,
        confidence,
        millis: result.millis,
      },
    },
  };
}
