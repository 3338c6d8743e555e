/**
 * Offline OCR with tesseract.js, in French: the engine from `tesseract.js-core` and the French
 * LSTM model from `@tesseract.js-data/fra`, both read from node_modules (a local `langPath`, no
 * cache written, nothing downloaded: with a local path tesseract.js reads the model from disk).
 * Pages are recognised by a small pool of workers (cores − 1), within a page limit and a time
 * limit; what is cut is said in a French warning. Images are checked (format, pixel count) before
 * any decoding, so a 20,000 × 20,000 image is refused without being decoded.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppError } from '../../../shared/errors.js';

export const OCR_LIMITS = {
  /** Pages read per document (the rest is cut, with a warning). */
  maxPages: 50,
  /** Time for the whole document, in milliseconds (pages not done by then are cut). */
  maxMillis: 180_000,
  /** Pixels per image (an A4 page at 600 dpi is ~35 million). */
  maxPixels: 50_000_000,
  /** Workers (default: cores − 1, at least 1). */
  workers: Math.max(1, availableParallelism() - 1),
};

/** The `documents.ocr` section of the configuration. */
export interface OcrSettings {
  max_pages: number;
  max_seconds: number;
  workers?: number;
}

/** Applies the `documents.ocr` configuration (at start-up, and in each parsing worker). */
export function configureOcr(c: OcrSettings): void {
  OCR_LIMITS.maxPages = c.max_pages;
  OCR_LIMITS.maxMillis = c.max_seconds * 1000;
  if (c.workers) OCR_LIMITS.workers = c.workers;
}

/** A page whose recognition confidence is below this is reported as hard to read. */
const LOW_CONFIDENCE = 50;

export type ImageKind = 'png' | 'jpeg' | 'tiff';

export function imageKind(bytes: Buffer): ImageKind | null {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 8 &&
    (bytes.toString('latin1', 0, 4) === 'II*\0' || bytes.toString('latin1', 0, 4) === 'MM\0*')
  )
    return 'tiff';
  return null;
}

/** Width and height from the header, or null when the header cannot be read. */
export function imageSize(bytes: Buffer, kind: ImageKind): { width: number; height: number } | null {
  try {
    if (kind === 'png') return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    if (kind === 'jpeg') {
      let at = 2;
      while (at + 9 < bytes.length) {
        if (bytes[at] !== 0xff) return null;
        const marker = bytes[at + 1];
        if (marker === 0xff) {
          at++;
          continue;
        }
        const length = bytes.readUInt16BE(at + 2);
        if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
          return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
        at += 2 + length;
      }
      return null;
    }
    const le = bytes[0] === 0x49;
    const u16 = (o: number) => (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
    const u32 = (o: number) => (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
    const ifd = u32(4);
    const count = u16(ifd);
    let width = 0;
    let height = 0;
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      const tag = u16(e);
      const value = u16(e + 2) === 3 ? u16(e + 8) : u32(e + 8);
      if (tag === 256) width = value;
      if (tag === 257) height = value;
    }
    return width && height ? { width, height } : null;
  } catch {
    return null;
  }
}

export function checkImage(bytes: Buffer, fileName: string, what = "L'image"): void {
  const kind = imageKind(bytes);
  const size = kind ? imageSize(bytes, kind) : null;
  if (!kind || !size || !size.width || !size.height) {
    throw new AppError(
      'unprocessable',
      `${what} « ${fileName} » est endommagée : elle ne peut pas être lue.`,
    );
  }
  checkPixels(size.width, size.height, fileName, what);
}

/** Refuses a picture over the pixel limit (from its declared size, before any decoding). */
export function checkPixels(width: number, height: number, fileName: string, what = "L'image"): void {
  if (width * height > OCR_LIMITS.maxPixels) {
    throw new AppError(
      'unprocessable',
      `${what} « ${fileName} » mesure ${width} × ${height} pixels : au-delà de ${Math.round(OCR_LIMITS.maxPixels / 1e6)} millions de pixels, elle n'est pas lue. Numérisez-la à 300 dpi.`,
    );
  }
}

export interface OcrPage {
  /** 1-based page number. */
  page: number;
  text: string;
  confidence: number;
  /** Degrees the page was turned by before being read (0: upright; 90, 180, 270: rotated scans). */
  rotated?: number;
}

export interface OcrResult {
  pages: OcrPage[];
  warnings: string[];
  millis: number;
}

function langPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tesseract.js-data/fra/package.json')), '4.0.0_best_int');
}

/** Tesseract's orientation model (OSD: legacy engine), also read from node_modules. */
function osdPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tesseract.js-data/osd/package.json')), '4.0.0');
}

/**
 * Below this confidence an upright reading is doubted: the page may be a scan turned by 90, 180 or
 * 270 degrees (measured: upright text ≈ 95, the same page turned ≈ 45–55). Tesseract's orientation
 * detection is then asked, and the page read again turned, keeping the more confident reading.
 */
const ORIENTATION_DOUBT = 75;

/**
 * A page image: its bytes, or a function that makes them when the page's turn comes (raw PDF
 * pictures are decoded one at a time, not all held in memory at once).
 */
export type OcrImage = Buffer | (() => Buffer);

/**
 * Recognises page images (already checked with `checkImage`) in order. Pages beyond the limit or
 * not done in time are cut with a warning; a page that fails is reported and skipped.
 */
export async function recognisePages(
  images: OcrImage[],
  o: { onPage?: (done: number, total: number) => void; limits?: Partial<typeof OCR_LIMITS> } = {},
): Promise<OcrResult> {
  const limits = { ...OCR_LIMITS, ...o.limits };
  const warnings: string[] = [];
  const started = Date.now();
  const todo = images.slice(0, limits.maxPages);
  if (images.length > todo.length) {
    warnings.push(
      `Document coupé : seules les ${todo.length} premières pages sur ${images.length} ont été lues par reconnaissance de caractères (limite de ${limits.maxPages} pages).`,
    );
  }
  const { createWorker, OEM } = await import('tesseract.js');
  const poolSize = Math.max(1, Math.min(limits.workers, todo.length));
  const options = { langPath: langPath(), cacheMethod: 'none', gzip: true } as const;
  const workers = await Promise.all(
    Array.from({ length: poolSize }, () => createWorker('fra', OEM.LSTM_ONLY, options)),
  );
  // One orientation detector per document, made on first doubt (most documents never need it).
  const detector: { worker: ReturnType<typeof createWorker> | null } = { worker: null };
  const orientation = async (image: Buffer): Promise<number> => {
    detector.worker ??= createWorker('osd', OEM.TESSERACT_ONLY, {
      langPath: osdPath(),
      cacheMethod: 'none',
      gzip: true,
      legacyCore: true,
      legacyLang: true,
    });
    const { data } = await (await detector.worker).detect(image);
    return data.orientation_degrees ?? 0;
  };
  const read = async (worker: (typeof workers)[number], image: Buffer, page: number): Promise<OcrPage> => {
    // rotateAuto: Tesseract measures the skew of the lines and straightens the page (deskew).
    const upright = await worker.recognize(image, { rotateAuto: true });
    const first = { page, text: upright.data.text ?? '', confidence: upright.data.confidence ?? 0 };
    if (first.confidence >= ORIENTATION_DOUBT || !first.text.trim()) return first;
    const degrees = await orientation(image).catch(() => 0);
    if (!degrees) return first;
    const turned = await worker.recognize(image, { rotateRadians: (degrees * Math.PI) / 180 });
    const second = {
      page,
      text: turned.data.text ?? '',
      confidence: turned.data.confidence ?? 0,
      rotated: degrees,
    };
    return second.confidence > first.confidence ? second : first;
  };
  const results: Array<OcrPage | null> = todo.map(() => null);
  let next = 0;
  let done = 0;
  let timedOut = false;
  const deadline = started + limits.maxMillis;
  const timer = new Promise<void>((resolve) => {
    const t = setTimeout(
      () => {
        timedOut = true;
        resolve();
      },
      Math.max(0, deadline - Date.now()),
    );
    t.unref();
  });
  const run = async (worker: (typeof workers)[number]) => {
    while (!timedOut && next < todo.length) {
      const i = next++;
      try {
        const image = todo[i];
        const r = await read(worker, typeof image === 'function' ? image() : image, i + 1);
        if (timedOut) return;
        results[i] = r;
      } catch {
        if (timedOut) return;
        warnings.push(`page ${i + 1} : image illisible, ignorée`);
      }
      o.onPage?.(++done, todo.length);
    }
  };
  try {
    await Promise.race([Promise.all(workers.map(run)), timer]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
    const osd = await detector.worker?.catch(() => null);
    await osd?.terminate().catch(() => undefined);
  }
  const pages = results.filter((p): p is OcrPage => p !== null);
  if (timedOut) {
    warnings.push(
      `Document coupé : la reconnaissance de caractères a dépassé ${Math.round(limits.maxMillis / 1000)} s ; ${pages.length} page(s) sur ${todo.length} ont été lues.`,
    );
  }
  for (const p of pages) {
    if (p.rotated)
      warnings.push(`page ${p.page} : numérisée à l'envers ou de côté, redressée (${p.rotated}°)`);
    if (!p.text.trim()) warnings.push(`page ${p.page} : aucun texte reconnu (page blanche ?)`);
    else if (p.confidence < LOW_CONFIDENCE)
      warnings.push(
        `page ${p.page} : texte peu lisible (confiance ${Math.round(p.confidence)} %), à vérifier`,
      );
  }
  return { pages, warnings, millis: Date.now() - started };
}
