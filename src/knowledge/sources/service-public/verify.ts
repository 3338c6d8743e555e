/**
 * Integrity check of a downloaded DILA archive, before it replaces anything: it must be a zip (not
 * the HTML page of a captive portal), its central directory readable, its declared sizes within
 * bounds (zip bomb), every publication entry inflating to its declared size with its CRC-32, and it
 * must hold at least one publication.
 */
import { open, readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { listEntries } from './zip.js';
import { classify } from './catalog.js';

export interface VerifyLimits {
  maxUncompressedBytes: number;
  /** One publication is a few hundred kB; a larger entry is refused. */
  maxEntryBytes?: number;
  /** Compression ratio above which an entry of at least 1 MB is refused. */
  maxRatio?: number;
}

export interface VerifiedArchive {
  publications: number;
  entries: number;
  uncompressedBytes: number;
}

/** A French clause saying what is wrong with the archive. */
export class ArchiveRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ArchiveRejected';
  }
}

const DEFAULT_MAX_ENTRY = 64 * 1024 * 1024;
const DEFAULT_MAX_RATIO = 200;
const RATIO_FLOOR = 1024 * 1024;

async function head(path: string, n: number): Promise<Buffer> {
  const f = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await f.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await f.close();
  }
}

function openBuffer(buffer: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    );
  });
}

/** Inflates one entry, refusing more bytes than declared; returns its CRC-32 and size. */
function inflate(zip: ZipFile, entry: Entry, max: number): Promise<{ crc: number; size: number }> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      let crc = 0;
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) {
          stream.destroy(new ArchiveRejected(`l'élément ${entry.fileName} dépasse la taille annoncée`));
          return;
        }
        crc = crc32(c, crc);
      });
      stream.once('end', () => resolve({ crc, size }));
      stream.once('error', reject);
    });
  });
}

export async function verifyArchive(path: string, limits: VerifyLimits): Promise<VerifiedArchive> {
  const start = await head(path, 512);
  if (start.length === 0) throw new ArchiveRejected('fichier reçu vide');
  if (start.readUInt32LE(0) !== 0x04034b50 && start.readUInt32LE(0) !== 0x06054b50) {
    const text = start.toString('latin1').trimStart().toLowerCase();
    if (text.startsWith('<!doctype html') || text.startsWith('<html') || /<(html|head|body)[\s>]/.test(text))
      throw new ArchiveRejected(
        "page HTML reçue au lieu d'une archive zip (portail captif ou page d'erreur du serveur ?)",
      );
    throw new ArchiveRejected("le fichier reçu n'est pas une archive zip");
  }
  const maxEntry = limits.maxEntryBytes ?? DEFAULT_MAX_ENTRY;
  const maxRatio = limits.maxRatio ?? DEFAULT_MAX_RATIO;
  let zip: ZipFile;
  let entries: Entry[];
  try {
    zip = await openBuffer(await readFile(path));
    entries = await listEntries(zip);
  } catch (e) {
    throw new ArchiveRejected(`archive zip illisible ou tronquée (${(e as Error).message})`);
  }
  try {
    let declared = 0;
    for (const e of entries) {
      declared += e.uncompressedSize;
      if (e.uncompressedSize > maxEntry && classify(e.fileName, e))
        throw new ArchiveRejected(`l'élément ${e.fileName} est anormalement volumineux (bombe zip ?)`);
      if (e.uncompressedSize >= RATIO_FLOOR && e.uncompressedSize / Math.max(1, e.compressedSize) > maxRatio)
        throw new ArchiveRejected(
          `taux de compression anormal pour ${e.fileName} (${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} pour 1 : bombe zip ?)`,
        );
    }
    if (declared > limits.maxUncompressedBytes)
      throw new ArchiveRejected(
        `contenu décompressé annoncé de ${Math.round(declared / 1024 / 1024)} Mo, au-delà de la limite (bombe zip ?)`,
      );
    let publications = 0;
    let total = 0;
    for (const e of entries) {
      if (e.fileName.endsWith('/') || !classify(e.fileName, e)) continue;
      let got: { crc: number; size: number };
      try {
        got = await inflate(zip, e, Math.min(maxEntry, e.uncompressedSize));
      } catch (err) {
        if (err instanceof ArchiveRejected) throw err;
        throw new ArchiveRejected(`élément ${e.fileName} illisible (${(err as Error).message})`);
      }
      total += got.size;
      if (total > limits.maxUncompressedBytes)
        throw new ArchiveRejected('contenu décompressé au-delà de la limite (bombe zip ?)');
      if (got.size !== e.uncompressedSize || got.crc >>> 0 !== e.crc32 >>> 0)
        throw new ArchiveRejected(
          `élément ${e.fileName} corrompu (taille ou somme de contrôle CRC-32 fausse)`,
        );
      publications++;
    }
    if (publications === 0)
      throw new ArchiveRejected('aucune publication (fichier F…, N… ou R….xml) dans l’archive');
    return { publications, entries: entries.length, uncompressedBytes: total };
  } finally {
    zip.close();
  }
}
