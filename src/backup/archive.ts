/**
 * The backup archive: a zip (yazl to write, yauzl to read) holding `manifest.json` and the parts it
 * lists, each with its size and SHA-256; optionally encrypted as a whole with a passphrase (see
 * `crypto.ts` for the documented format). Nothing is trusted before its digest matches the manifest.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import yazl from 'yazl';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import { listEntries } from '../knowledge/sources/service-public/zip.js';

export const MANIFEST_NAME = 'manifest.json';
export const ARCHIVE_FORMAT = 'guichet-backup';
export const ARCHIVE_FORMAT_VERSION = 1;

export const Manifest = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  format_version: z.number().int(),
  guichet_version: z.string(),
  created_at: z.string(),
  engine: z.enum(['sqlite', 'postgres']),
  schema_version: z.number().int(),
  /** Rows per table at the moment of the snapshot (the built-in corpus excluded where it was). */
  counts: z.record(z.string(), z.number().int()),
  /** Collections whose documents were left out (re-indexed from their source on restore). */
  excluded_collections: z.array(z.string()),
  /** The schema a PostgreSQL dump was taken from (restored into the same one). */
  postgres_schema: z.string().optional(),
  /** Extensions of a PostgreSQL source, created again before its dump is restored. */
  postgres_extensions: z.array(z.string()).optional(),
  audit: z.object({ entries: z.number().int(), head: z.string().nullable() }),
  parts: z.array(z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() })),
});
export type Manifest = z.infer<typeof Manifest>;

export interface ArchivePart {
  /** Name inside the archive. */
  name: string;
  /** File on disk whose content is stored. */
  file: string;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Describes each part (size, digest) for the manifest. */
export async function describeParts(parts: ArchivePart[]): Promise<Manifest['parts']> {
  const out: Manifest['parts'] = [];
  for (const p of parts)
    out.push({ name: p.name, bytes: statSync(p.file).size, sha256: await sha256File(p.file) });
  return out;
}

/** Writes the zip: the manifest first, then the parts (stored compressed). */
export async function writeArchive(target: string, manifest: Manifest, parts: ArchivePart[]): Promise<void> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), MANIFEST_NAME);
  for (const p of parts) zip.addFile(p.file, p.name);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(target, { flags: 'wx' }));
}

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) =>
      err || !zip ? reject(err ?? new Error('zip')) : resolve(zip),
    ),
  );
}

function entryStream(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) =>
      err || !stream ? reject(err ?? new Error('zip')) : resolve(stream),
    ),
  );
}

function unreadable(file: string, why: string): AppError {
  return new AppError('invalid_request', `Sauvegarde illisible (${file}) : ${why}. Rien n'a été modifié.`);
}

/**
 * Opens an archive, checks its manifest and extracts the named parts into `dir` (by their manifest
 * names, never by a path read from the zip), verifying each part's size and SHA-256.
 */
export async function readArchive(
  file: string,
  extract: (name: string) => string | null,
): Promise<{ manifest: Manifest; files: Map<string, string> }> {
  let zip: ZipFile;
  try {
    zip = await openZip(file);
  } catch (e) {
    throw unreadable(file, `ce n'est pas une archive de sauvegarde Guichet (${(e as Error).message})`);
  }
  try {
    const list = await listEntries(zip);
    const byName = new Map(list.map((e) => [e.fileName, e]));
    const m = byName.get(MANIFEST_NAME);
    if (!m) throw unreadable(file, 'manifeste absent');
    if (m.uncompressedSize > 1_000_000) throw unreadable(file, 'manifeste trop grand');
    const chunks: Buffer[] = [];
    for await (const c of await entryStream(zip, m)) chunks.push(c as Buffer);
    let manifest: Manifest;
    try {
      manifest = Manifest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      throw unreadable(file, 'manifeste invalide');
    }
    if (manifest.format_version > ARCHIVE_FORMAT_VERSION)
      throw unreadable(file, `format ${manifest.format_version} plus récent que cette version de Guichet`);
    const files = new Map<string, string>();
    for (const part of manifest.parts) {
      const entry = byName.get(part.name);
      if (!entry) throw unreadable(file, `partie « ${part.name} » absente`);
      if (entry.uncompressedSize !== part.bytes)
        throw unreadable(file, `taille de « ${part.name} » incorrecte`);
      const dest = extract(part.name);
      if (!dest) continue;
      const hash = createHash('sha256');
      const out = createWriteStream(dest, { flags: 'wx' });
      const stream = await entryStream(zip, entry);
      stream.on('data', (c: Buffer) => hash.update(c));
      try {
        await pipeline(stream, out);
      } catch (e) {
        throw unreadable(file, `partie « ${part.name} » corrompue (${(e as Error).message})`);
      }
      if (hash.digest('hex') !== part.sha256)
        throw unreadable(file, `empreinte SHA-256 de « ${part.name} » incorrecte`);
      files.set(part.name, dest);
    }
    return { manifest, files };
  } finally {
    zip.close();
  }
}
