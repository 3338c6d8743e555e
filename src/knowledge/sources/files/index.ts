/**
 * `parseFile`: size checks, format detection by content, then the parser registered for it.
 */
import { AppError } from '../../../shared/errors.js';
import { csvParser } from './csv.js';
import { detectFormat } from './detect.js';
import { docxParser } from './docx.js';
import { emlParser, setAttachmentReader } from './eml.js';
import { htmlParser } from './html.js';
import { imageParser } from './image.js';
import { jsonParser } from './json.js';
import { markdownParser } from './markdown.js';
import { odsParser } from './ods.js';
import { odtParser } from './odt.js';
import { makePdfParser } from './pdf.js';
import { withOcr } from './pdf-ocr.js';
import type { FileFormat, ParsedFile, Parser } from './spec.js';
import { textParser } from './text.js';
import { xlsxParser } from './xlsx.js';

export type { FileFormat, ParsedFile, Parser, ParseInput } from './spec.js';
export { detectFormat } from './detect.js';

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

export const PARSERS: Readonly<Record<FileFormat, Parser>> = {
  pdf: withOcr(makePdfParser),
  docx: docxParser,
  html: htmlParser,
  markdown: markdownParser,
  text: textParser,
  csv: csvParser,
  json: jsonParser,
  odt: odtParser,
  ods: odsParser,
  xlsx: xlsxParser,
  eml: emlParser,
  image: imageParser,
};

// An e-mail's attachments are read in place with the parser their content calls for.
setAttachmentReader(async (bytes, fileName) => {
  const format = detectFormat(bytes, fileName);
  return { ...(await PARSERS[format].parse({ bytes, fileName })), format };
});

export async function parseFile(input: {
  bytes: Buffer;
  fileName: string;
  maxBytes?: number;
}): Promise<ParsedFile & { format: FileFormat }> {
  const { bytes, fileName } = input;
  const maxBytes = input.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length === 0) throw new AppError('invalid_request', `Le fichier « ${fileName} » est vide.`);
  if (bytes.length > maxBytes) {
    throw new AppError(
      'payload_too_large',
      `Le fichier « ${fileName} » pèse ${formatMb(bytes.length)} : la taille maximale acceptée est ${formatMb(maxBytes)}.`,
    );
  }
  const format = detectFormat(bytes, fileName);
  const parsed = await PARSERS[format].parse({ bytes, fileName });
  return { ...parsed, format, metadata: { ...parsed.metadata, fileName, format, bytes: bytes.length } };
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}
