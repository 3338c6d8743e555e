/**
 * A streaming multipart/form-data reader for uploads. The Fetch API's `formData()` parses the whole
 * body in one go on the event loop (~150 ms for 16 MB, ~0.4 s for 42 MB, during which `/health`
 * waits); this reader looks for the boundary chunk by chunk as the body arrives (native
 * `Buffer.indexOf`), so no step holds the loop for long. It also keeps every part, so that a
 * repeated field is seen (the Fetch API keeps all, Hono's `parseBody` kept only the last).
 */
import { AppError } from '../shared/errors.js';

export interface MultipartPart {
  name: string;
  /** Present for a file part (possibly empty). */
  fileName?: string;
  contentType?: string;
  data: Buffer;
}

export interface MultipartLimits {
  /** Bytes of the whole body (a chunked body has no Content-Length to check beforehand). */
  maxBodyBytes: number;
  /** The error for a body over `maxBodyBytes` (default: a 413 without details). */
  tooLarge: () => AppError;
  /** Parts in one body; one more is a 400. */
  maxParts: number;
  /** Bytes of a part that is not a file (collection, metadata, path…). */
  maxFieldBytes: number;
  /** Bytes of one part's headers. */
  maxHeaderBytes: number;
}

const DEFAULT_LIMITS: MultipartLimits = {
  maxBodyBytes: Infinity,
  tooLarge: () => new AppError('payload_too_large', 'Le corps de la requête dépasse la taille autorisée.'),
  maxParts: 16,
  maxFieldBytes: 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
};
const CRLF2 = Buffer.from('\r\n\r\n');
/** Bytes of a big part copied into one buffer between two turns of the event loop (~1-3 ms). */
const ASSEMBLE_SLICE = 2 * 1024 * 1024;

/**
 * A request body: the Fetch API's stream, or the Node request itself (`IncomingMessage`), read
 * without the web-stream adapter, which copies every network chunk once more.
 */
export type MultipartSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** The boundary of a `multipart/form-data` content type, or null. */
export function multipartBoundary(contentType: string): string | null {
  if (!/^multipart\/form-data\b/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

function malformed(why: string): AppError {
  return new AppError(
    'invalid_request',
    `Envoi incomplet ou mal formé (multipart/form-data : ${why}) : le fichier n’a pas été enregistré, renvoyez-le.`,
  );
}

/** Reads every part of the body; a truncated or malformed body is a 400. */
export async function readMultipart(
  body: MultipartSource | null,
  boundary: string,
  limits: Partial<MultipartLimits> = {},
): Promise<MultipartPart[]> {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const parts: (Omit<MultipartPart, 'data'> & { chunks: Buffer[]; size: number })[] = [];
  // The body starts with `--boundary` (no CRLF before it): one is added so that every boundary,
  // the first included, is found as CRLF--boundary.
  let pending: Buffer = Buffer.from('\r\n');
  type State = 'preamble' | 'after' | 'headers' | 'body' | 'done';
  let state = 'preamble' as State;
  let current: { part: Omit<MultipartPart, 'data'>; chunks: Buffer[]; size: number } | null = null;

  // A part's pieces are joined once the body is read (assemble): joining 42 MB at once held the
  // event loop ~60 ms.
  const finishPart = (last: Buffer) => {
    const c = current!;
    if (last.length) c.chunks.push(last);
    parts.push({ ...c.part, chunks: c.chunks, size: c.size + last.length });
    current = null;
  };
  const addToPart = (data: Buffer) => {
    const c = current!;
    c.size += data.length;
    if (c.part.fileName === undefined && c.size > l.maxFieldBytes) {
      throw new AppError('invalid_request', `Le champ « ${c.part.name} » est trop long.`, {
        param: c.part.name,
      });
    }
    if (data.length) c.chunks.push(data);
  };

  /** Consumes what `pending` allows; returns when more bytes are needed. */
  const step = () => {
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const at = pending.indexOf(delimiter);
        if (at < 0) {
          // Keep what could be the start of a boundary split between two network chunks.
          const keep = Math.min(pending.length, delimiter.length - 1);
          if (state === 'body') addToPart(pending.subarray(0, pending.length - keep));
          pending = Buffer.from(pending.subarray(pending.length - keep));
          return;
        }
        if (state === 'body') finishPart(pending.subarray(0, at));
        pending = pending.subarray(at + delimiter.length);
        state = 'after';
      } else if (state === 'after') {
        if (pending.length < 2) return;
        if (pending[0] === 0x2d && pending[1] === 0x2d) {
          state = 'done';
          return;
        }
        // Transport padding (spaces, tabs) may follow a boundary before its CRLF.
        const eol = pending.indexOf('\r\n');
        if (eol < 0) {
          if (pending.length > 256) throw malformed('délimiteur invalide');
          return;
        }
        pending = pending.subarray(eol + 2);
        state = 'headers';
      } else if (state === 'headers') {
        const end = pending.indexOf(CRLF2);
        if (end < 0) {
          if (pending.length > l.maxHeaderBytes) throw malformed('en-têtes trop longs');
          return;
        }
        if (parts.length >= l.maxParts) {
          throw new AppError(
            'invalid_request',
            `Trop de champs dans l’envoi (plus de ${l.maxParts}) : un seul fichier par requête.`,
            { param: 'file' },
          );
        }
        current = { part: partHeaders(pending.subarray(0, end).toString('utf8')), chunks: [], size: 0 };
        pending = pending.subarray(end + CRLF2.length);
        state = 'body';
      } else return;
    }
  };

  if (!body) throw malformed('corps absent');
  const next = chunks(body);
  let received = 0;
  try {
    for (;;) {
      let chunk: IteratorResult<Uint8Array>;
      try {
        chunk = await next.read();
      } catch (cause) {
        if (cause instanceof AppError) throw cause;
        throw new AppError(
          'invalid_request',
          'Envoi incomplet ou interrompu (multipart/form-data) : le fichier n’a pas été enregistré, renvoyez-le.',
          { cause },
        );
      }
      if (chunk.done) break;
      received += chunk.value.byteLength;
      if (received > l.maxBodyBytes) throw l.tooLarge();
      if ((state as State) === 'done') continue; // epilogue
      const bytes = Buffer.from(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength);
      if (state === 'body' && pending.length > 0 && bytes.length >= delimiter.length) {
        // In a part's body `pending` holds only the few bytes that could start a boundary: the
        // chunk is not copied behind them (that copied every network chunk of a file once more);
        // only a boundary split between the two is looked for across them.
        const probe = Buffer.concat([pending, bytes.subarray(0, delimiter.length - 1)]);
        const at = probe.indexOf(delimiter);
        if (at >= 0 && at < pending.length) {
          finishPart(pending.subarray(0, at));
          pending = bytes.subarray(at + delimiter.length - pending.length);
          state = 'after';
        } else {
          addToPart(pending);
          pending = bytes;
        }
      } else pending = pending.length ? Buffer.concat([pending, bytes]) : bytes;
      step();
    }
  } finally {
    next.release();
  }
  if ((state as State) !== 'done') throw malformed('fin du corps manquante');
  const out: MultipartPart[] = [];
  for (const { chunks: pieces, size, ...part } of parts)
    out.push({ ...part, data: await assemble(pieces, size) });
  return out;
}

/**
 * Reads a body chunk by chunk. `release` leaves a Node request as it is (no `return()`, which
 * would destroy the socket before the error answer is sent); a web stream's lock is released.
 */
function chunks(body: MultipartSource): { read(): Promise<IteratorResult<Uint8Array>>; release(): void } {
  if ('getReader' in body) {
    const reader = body.getReader();
    return {
      read: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
      release: () => reader.releaseLock(),
    };
  }
  const it = body[Symbol.asyncIterator]();
  return { read: () => it.next(), release: () => {} };
}

/**
 * One buffer of a part's pieces, copied a few megabytes at a time with the event loop served in
 * between. The result owns its memory, so that the parse pool moves it to its thread uncopied.
 */
async function assemble(pieces: Buffer[], size: number): Promise<Buffer> {
  if (pieces.length === 0) return Buffer.alloc(0);
  if (pieces.length === 1) return pieces[0];
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  let since = 0;
  for (const piece of pieces) {
    piece.copy(out, at);
    at += piece.length;
    since += piece.length;
    if (since >= ASSEMBLE_SLICE) {
      since = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return out;
}

function partHeaders(text: string): Omit<MultipartPart, 'data'> {
  let name: string | undefined;
  let fileName: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') {
      name = param(value, 'name');
      fileName = param(value, 'filename');
      const star = /;\s*filename\*=UTF-8''([^;]*)/i.exec(value);
      if (star) {
        try {
          fileName = decodeURIComponent(star[1]);
        } catch {
          /* keep the plain form */
        }
      }
    } else if (key === 'content-type') contentType = value;
  }
  if (name === undefined) throw malformed('champ sans nom');
  return { name, ...(fileName !== undefined ? { fileName } : {}), ...(contentType ? { contentType } : {}) };
}

/** A quoted (or bare) parameter of Content-Disposition; browsers escape `"` and newlines as %22/%0D/%0A. */
function param(header: string, key: string): string | undefined {
  const m = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(header);
  if (!m) return undefined;
  if (m[2] !== undefined) return m[2];
  return m[1].replace(/\\(.)/g, '$1').replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}
