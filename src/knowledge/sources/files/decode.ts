/**
 * Bytes → text: BOM (UTF-8, UTF-16), strict UTF-8, else the encoding `chardet` guesses among the
 * single-byte Western ones (Windows-1252 by default). Binary content is refused.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { AppError } from '../../../shared/errors.js';

export interface DecodedText {
  text: string;
  encoding: string;
}

const SINGLE_BYTE = new Set(['windows-1252', 'iso-8859-1', 'iso-8859-15', 'macintosh']);

/** True when the bytes look like binary data rather than text (NUL or many control bytes). */
export function looksBinary(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 64 * 1024);
  if (sample.length === 0) return false;
  if (hasUtf16Bom(sample)) return false;
  let control = 0;
  for (const b of sample) {
    if (b === 0) return true;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) || b === 0x7f) control++;
  }
  return control / sample.length > 0.005;
}

function hasUtf16Bom(b: Buffer): boolean {
  return b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff));
}

export function decodeText(bytes: Buffer, fileName: string): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: normalize(bytes.subarray(3).toString('utf8')), encoding: 'utf-8' };
  }
  if (hasUtf16Bom(bytes)) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    return { text: normalize(iconv.decode(bytes.subarray(2), encoding)), encoding };
  }
  if (looksBinary(bytes)) {
    throw new AppError(
      'unsupported_media_type',
      `Le fichier « ${fileName} » n'est pas un document texte lisible (contenu binaire non reconnu).`,
    );
  }
  try {
    return { text: normalize(new TextDecoder('utf-8', { fatal: true }).decode(bytes)), encoding: 'utf-8' };
  } catch {
    const guess = (chardet.detect(bytes) ?? '').toLowerCase();
    const encoding = SINGLE_BYTE.has(guess) && guess !== 'iso-8859-1' ? guess : 'windows-1252';
    return { text: normalize(iconv.decode(bytes, encoding)), encoding };
  }
}

/** Line endings to `\n`, no stray BOM, no NUL. */
function normalize(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\u0000')
    .join('');
}
