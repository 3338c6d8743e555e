/**
 * Page pictures of scanned PDFs stored as raw pixels (`/FlateDecode` or no filter): 8-bit gray or
 * RGB, 1-bit black and white (DeviceGray or an image mask). The stream is inflated within a bound
 * computed from the declared width × height (a stream that inflates beyond it — a decompression
 * bomb, or damage — is refused, never decoded further), a PNG or TIFF predictor is undone, and the
 * pixels are written as a netpbm image (P5 gray, P6 RGB, P4 1-bit), which Tesseract's Leptonica
 * reads (checked with tesseract.js in Node: the three give the same text as a PNG).
 */
import { constants, inflateSync } from 'node:zlib';
import { AppError } from '../../../shared/errors.js';

export interface RawImage {
  width: number;
  height: number;
  /** 1: gray (or image mask), 3: RGB. */
  components: 1 | 3;
  bits: 1 | 8;
  /** `/Decode [1 0]`: samples inverted (for 1-bit pictures, 1 is then black). */
  inverted: boolean;
  /** `/FlateDecode` (false: no filter, the samples as they are). */
  flate: boolean;
  /** `/DecodeParms`: 1 (none), 2 (TIFF) or ≥ 10 (PNG, a filter byte per row). */
  predictor: { predictor: number; columns: number; colors: number; bits: number };
  /** The stream's bytes, still encoded. */
  data: Uint8Array;
}

/** Bytes an inflated stream may hold beyond its declared size (trailing bytes some writers add). */
const SLACK = 64 * 1024;

const rowBytes = (columns: number, components: number, bits: number) =>
  Math.ceil((columns * components * bits) / 8);

/** The size the stream's inflated bytes should have, from the declared size and predictor. */
export function expectedBytes(img: RawImage): number {
  const p = img.predictor;
  if (p.predictor >= 10) return (rowBytes(p.columns, p.colors, p.bits) + 1) * img.height;
  return rowBytes(img.width, img.components, img.bits) * img.height;
}

/**
 * The picture as a netpbm image. Throws a French AppError (`what « label » …`) when the stream
 * inflates beyond its declared size or cannot be read; a stream cut short is completed in white.
 */
export function rawToPnm(img: RawImage, label: string, what = "L'image de la page"): Buffer {
  const damaged = () =>
    new AppError('unprocessable', `${what} « ${label} » est endommagée : elle ne peut pas être lue.`);
  const { width, height } = img;
  const row = rowBytes(width, img.components, img.bits);
  let bytes: Buffer;
  if (img.flate) {
    try {
      bytes = inflateSync(img.data, {
        maxOutputLength: expectedBytes(img) + SLACK,
        // A stream cut short gives what it holds (as PDF readers do) instead of an error.
        finishFlush: constants.Z_SYNC_FLUSH,
      });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new AppError(
          'unprocessable',
          `${what} « ${label} » se décompresse bien au-delà de sa taille annoncée (${width} × ${height} pixels) : fichier piégé ou endommagé, elle n'est pas lue.`,
        );
      }
      throw damaged();
    }
  } else {
    bytes = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  }
  const pixels = unpredict(bytes, img, row, damaged);
  if (!pixels.length) throw damaged();
  const header = Buffer.from(
    img.bits === 1
      ? `P4\n${width} ${height}\n`
      : `${img.components === 1 ? 'P5' : 'P6'}\n${width} ${height}\n255\n`,
    'latin1',
  );
  // Rows missing at the end are white (P4: 0 is white; P5/P6: 255).
  const out = Buffer.alloc(header.length + row * height, img.bits === 1 ? 0 : 255);
  header.copy(out);
  const n = Math.min(row * height, pixels.length);
  // PDF 1-bit gray: 0 is black; an image mask paints its 0 samples. PBM: 1 is black. `/Decode [1 0]` swaps.
  const flip = img.bits === 1 ? !img.inverted : img.inverted;
  if (flip) for (let i = 0; i < n; i++) out[header.length + i] = ~pixels[i] & 0xff;
  else pixels.copy(out, header.length, 0, n);
  return out;
}

/** The samples with the predictor undone (PNG: per-row filter byte; TIFF: 8-bit differences). */
function unpredict(bytes: Buffer, img: RawImage, row: number, damaged: () => AppError): Buffer {
  const p = img.predictor;
  if (p.predictor === 1) return bytes;
  const len = rowBytes(p.columns, p.colors, p.bits);
  // The predictor's rows must be the picture's rows.
  if (len !== row) throw damaged();
  if (p.predictor === 2) {
    if (p.bits !== 8) throw damaged();
    const out = Buffer.from(bytes);
    for (let start = 0; start + len <= out.length; start += len)
      for (let x = p.colors; x < len; x++)
        out[start + x] = (out[start + x] + out[start + x - p.colors]) & 0xff;
    return out;
  }
  if (p.predictor < 10) throw damaged();
  const bpp = Math.max(1, Math.ceil((p.colors * p.bits) / 8));
  const rows = Math.min(img.height, Math.floor(bytes.length / (len + 1)));
  const out = Buffer.alloc(rows * len);
  for (let y = 0; y < rows; y++) {
    const type = bytes[y * (len + 1)];
    const src = y * (len + 1) + 1;
    const at = y * len;
    const up = at - len;
    // One loop per filter type (a 300 dpi RGB page is 26 million samples).
    if (type === 0) bytes.copy(out, at, src, src + len);
    else if (type === 1)
      for (let x = 0; x < len; x++) out[at + x] = bytes[src + x] + (x >= bpp ? out[at + x - bpp] : 0);
    else if (type === 2) for (let x = 0; x < len; x++) out[at + x] = bytes[src + x] + (y ? out[up + x] : 0);
    else if (type === 3)
      for (let x = 0; x < len; x++)
        out[at + x] = bytes[src + x] + (((x >= bpp ? out[at + x - bpp] : 0) + (y ? out[up + x] : 0)) >> 1);
    else if (type === 4)
      for (let x = 0; x < len; x++) {
        const a = x >= bpp ? out[at + x - bpp] : 0;
        const b = y ? out[up + x] : 0;
        const c = x >= bpp && y ? out[up + x - bpp] : 0;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        out[at + x] = bytes[src + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
    else throw damaged();
  }
  return out;
}
