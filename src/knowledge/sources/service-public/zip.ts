/** Publications from DILA's `vosdroits-latest.zip`, streamed with yauzl (nothing written to disk). */
import { readFile, stat } from 'node:fs/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../../../shared/errors.js';
import { classify, dedupe, sniffAudiences, type CatalogEntry } from './catalog.js';
import type { Audience } from '../../model.js';
import type { RawPublication, ServicePublicSource } from './types.js';

/** A publication is a few hundred kB at most; anything far larger is not one (or is a zip bomb). */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
/** Archives up to this size are read into memory (DILA's zip is a few tens of MB). */
const IN_MEMORY_LIMIT = 512 * 1024 * 1024;
/** Entries inflated ahead of the consumer. */
const READ_AHEAD = 16;

function notAZip(path: string, cause: unknown): AppError {
  return new AppError(
    'invalid_request',
    `Archive zip illisible : ${path}. Indiquez le fichier vosdroits-latest.zip de la DILA (téléchargez-le à nouveau s'il est incomplet).`,
    { cause },
  );
}

/**
 * Opens the archive. Up to `IN_MEMORY_LIMIT` it is read into memory first (entries are still inflated
 * one by one, never extracted): per-entry file reads otherwise double the wall time of an ingest.
 */
async function openZip(path: string): Promise<ZipFile> {
  const { size } = await stat(path);
  if (size > IN_MEMORY_LIMIT) {
    return new Promise((resolve, reject) => {
      yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) =>
        err ? reject(err) : resolve(zip),
      );
    });
  }
  const buffer = await readFile(path);
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

/** Every entry of a zip opened with `lazyEntries` (also used by the archive checks and backups). */
export function listEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const out: Entry[] = [];
    zip.on('entry', (e: Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.once('end', () => resolve(out));
    zip.once('error', reject);
    zip.readEntry();
  });
}

function readEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.once('end', () => resolve(Buffer.concat(chunks)));
      stream.once('error', reject);
    });
  });
}

export async function openZipSource(path: string): Promise<ServicePublicSource> {
  return openZipSources([{ path }], `archive ${path}`);
}

/** One archive of several: DILA publishes one per audience, whose entries name no audience folder. */
export interface ZipPart {
  path: string;
  /** Audience of the entries whose path names none (DILA's per-audience archives). */
  audience?: Audience;
}

interface PartEntry {
  part: number;
  entry: Entry;
}

/**
 * Several archives read as one source: one entry per id across them (particuliers > professionnels
 * > associations), every audience kept.
 */
export async function openZipSources(parts: ZipPart[], description: string): Promise<ServicePublicSource> {
  const catalog: CatalogEntry<PartEntry>[] = [];
  for (const [i, part] of parts.entries()) {
    let entries: Entry[];
    let zip: ZipFile;
    try {
      zip = await openZip(part.path);
      entries = await listEntries(zip);
    } catch (e) {
      throw notAZip(part.path, e);
    }
    zip.close();
    for (const e of entries) {
      if (e.fileName.endsWith('/') || e.uncompressedSize > MAX_ENTRY_BYTES) continue;
      const c = classify(e.fileName, { part: i, entry: e });
      if (c) catalog.push({ ...c, audience: c.audience ?? part.audience ?? null });
    }
  }
  const chosen = dedupe(catalog);
  if (chosen.length === 0) {
    throw new AppError(
      'invalid_request',
      `Aucune publication (fichier F…, N… ou R….xml) dans l'archive ${parts.map((p) => p.path).join(', ')}. Indiquez le fichier vosdroits-latest.zip de la DILA.`,
    );
  }
  return {
    description,
    count: chosen.length,
    ids: chosen.map((c) => c.entry.id),
    async *entries(): AsyncIterable<RawPublication> {
      const open = new Map<number, Promise<ZipFile>>();
      const zipOf = (i: number): Promise<ZipFile> => {
        let z = open.get(i);
        if (!z) {
          z = openZip(parts[i].path).catch((e: unknown) => {
            throw notAZip(parts[i].path, e);
          });
          z.catch(() => undefined);
          open.set(i, z);
        }
        return z;
      };
      const read = (i: number): Promise<Buffer> => {
        const { part, entry } = chosen[i].entry.ref;
        const path = parts[part].path;
        const p = zipOf(part)
          .then((z) => readEntry(z, entry))
          .catch((e: unknown) => {
            if (e instanceof AppError) throw e;
            throw new AppError(
              'invalid_request',
              `Entrée illisible dans ${path} : ${entry.fileName}. L'archive est peut-être corrompue : téléchargez-la à nouveau.`,
              { cause: e },
            );
          });
        p.catch(() => undefined); // a consumer that stops early must not leave an unhandled rejection
        return p;
      };
      // Entries are inflated a few at a time (zlib runs off the main thread) while the consumer works.
      const pending = new Map<number, Promise<Buffer>>();
      for (let i = 0; i < Math.min(READ_AHEAD, chosen.length); i++) pending.set(i, read(i));
      try {
        for (let i = 0; i < chosen.length; i++) {
          const bytes = await pending.get(i)!;
          pending.delete(i);
          if (i + READ_AHEAD < chosen.length) pending.set(i + READ_AHEAD, read(i + READ_AHEAD));
          const { entry, audiences } = chosen[i];
          const found = audiences.length > 0 ? audiences : sniffAudiences(bytes);
          yield {
            externalId: entry.id,
            audience: found[0] ?? 'particuliers',
            audiences: found.length > 0 ? found : ['particuliers'],
            format: entry.format,
            bytes,
            origin: `${parts[entry.ref.part].path}!${entry.ref.entry.fileName}`,
          };
        }
      } finally {
        await Promise.allSettled(pending.values());
        for (const z of open.values()) await z.then((x) => x.close()).catch(() => undefined);
      }
    },
  };
}
