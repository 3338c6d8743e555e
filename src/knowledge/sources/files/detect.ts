/**
 * Chooses a file's format by its content (magic bytes, structure), never by its name alone:
 * the extension only breaks the tie between Markdown and plain text.
 */
import { AppError } from '../../../shared/errors.js';
import { decodeText } from './decode.js';
import type { FileFormat } from './spec.js';
import { inflateEntry, isZip, readCentralDirectory } from './zip.js';
import { isEncryptedOffice } from './cfb.js';
import { looksLikeEmail } from './eml.js';
import { imageKind } from './ocr.js';
import { detectDelimiter } from './delimiter.js';

const BINARY_KINDS: Array<[number[], string]> = [
  [
    [0xd0, 0xcf, 0x11, 0xe0],
    'un document Office ancien (.doc, .xls) : enregistrez-le au format .docx ou PDF',
  ],
  [[0x47, 0x49, 0x46, 0x38], 'une image GIF'],
  [[0x7b, 0x5c, 0x72, 0x74, 0x66], 'un document RTF : enregistrez-le au format .docx ou PDF'],
  [[0x1f, 0x8b], 'une archive compressée (gzip)'],
];

export function detectFormat(bytes: Buffer, fileName: string): FileFormat {
  if (bytes.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (isZip(bytes)) return detectZip(bytes, fileName);
  if (imageKind(bytes)) return 'image';
  if (isEncryptedOffice(bytes)) {
    throw new AppError(
      'unprocessable',
      `Le fichier « ${fileName} » est protégé par un mot de passe (document Office chiffré) : enregistrez-le sans mot de passe pour l'importer.`,
    );
  }
  for (const [magic, what] of BINARY_KINDS) {
    if (magic.every((b, i) => bytes[i] === b)) {
      throw new AppError(
        'unsupported_media_type',
        `Le fichier « ${fileName} » est ${what}. Ce format n'est pas pris en charge.`,
      );
    }
  }
  const { text } = decodeText(bytes, fileName);
  return detectTextFormat(text, fileName);
}

function detectZip(bytes: Buffer, fileName: string): FileFormat {
  const entries = readCentralDirectory(bytes);
  if (!entries) {
    throw new AppError(
      'unprocessable',
      `Le fichier « ${fileName} » est une archive ZIP endommagée (document Word corrompu ?) : il ne peut pas être lu.`,
    );
  }
  if (entries.some((e) => e.name === 'word/document.xml')) return 'docx';
  if (entries.some((e) => e.name === 'xl/workbook.xml')) return 'xlsx';
  const odf = openDocumentType(bytes, entries);
  if (odf === 'application/vnd.oasis.opendocument.text') return 'odt';
  if (odf === 'application/vnd.oasis.opendocument.spreadsheet') return 'ods';
  const kind = entries.some((e) => e.name.startsWith('xl/'))
    ? 'un classeur Excel (.xlsx) endommagé'
    : entries.some((e) => e.name === 'content.xml')
      ? 'un document OpenDocument autre que texte ou classeur (présentation, dessin…) : enregistrez-le en PDF'
      : 'une archive ZIP';
  throw new AppError(
    'unsupported_media_type',
    `Le fichier « ${fileName} » est ${kind}. Ce format n'est pas pris en charge.`,
  );
}

/** The `mimetype` entry of an OpenDocument package (stored first, uncompressed). */
function openDocumentType(bytes: Buffer, entries: ReturnType<typeof readCentralDirectory> & object): string {
  const entry = entries.find((e) => e.name === 'mimetype');
  if (!entry || entry.uncompressedSize > 200) return '';
  try {
    return inflateEntry(bytes, entry, 200).toString('ascii').trim();
  } catch {
    return '';
  }
}

export function detectTextFormat(text: string, fileName: string): FileFormat {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (looksLikeEmail(head)) return 'eml';
  if ((head.startsWith('{') || head.startsWith('[')) && parsesAsJson(text)) return 'json';
  if (looksLikeHtml(head)) return 'html';
  const ext = extension(fileName);
  if (ext === 'md' || ext === 'markdown') return 'markdown';
  if (ext !== 'txt' && looksLikeMarkdown(text)) return 'markdown';
  if (detectDelimiter(text, ext === 'csv' || ext === 'tsv') !== null) return 'csv';
  return 'text';
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function looksLikeHtml(head: string): boolean {
  const start = head.slice(0, 2000).replace(/^(<\?xml[^>]*>\s*|<!--[\s\S]*?-->\s*)+/i, '');
  if (/^<(!doctype\s+html|html|head|body)[\s>]/i.test(start)) return true;
  return (
    /^<(div|main|article|section|p|h[1-6]|table|ul)[\s>]/i.test(start) &&
    /<\/(div|p|article|section|table|ul|h[1-6])>/i.test(start)
  );
}

/** ATX headings, or a pipe table with its separator row. */
export function looksLikeMarkdown(text: string): boolean {
  const sample = text.slice(0, 20000);
  const headings = sample.match(/^#{1,6}[ \t]+\S/gm)?.length ?? 0;
  const table = /^\s*\|?.*\|.*\n\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$/m.test(sample);
  return headings >= 1 || table;
}

function extension(fileName: string): string {
  const m = /\.([a-z0-9]+)$/i.exec(fileName);
  return m ? m[1].toLowerCase() : '';
}
