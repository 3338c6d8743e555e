/**
 * Zip-bomb guard, run before any library opens an archive: the central directory's declared sizes
 * (total, ratio, entry count), then every entry actually inflated within those bounds, so that an
 * entry lying about its size is caught too. Returns the inflated entries by name.
 */
import { AppError } from '../../../shared/errors.js';
import { inflateEntry, readCentralDirectory } from './zip.js';

export const ZIP_LIMITS = {
  /** Total uncompressed size. */
  maxTotalBytes: 100 * 1024 * 1024,
  /** Compression ratio above which a large entry is refused. */
  maxRatio: 100,
  /** Entries smaller than this are not checked for ratio (tiny XML parts compress a lot). */
  ratioFloorBytes: 1024 * 1024,
  maxEntries: 10_000,
};

export function inflateArchiveSafely(bytes: Buffer, fileName: string): Map<string, Buffer> {
  const refuse = (why: string) =>
    new AppError(
      'unprocessable',
      `Le fichier « ${fileName} » a été refusé : ${why} (archive potentiellement malveillante).`,
    );
  const entries = readCentralDirectory(bytes);
  if (!entries)
    throw new AppError(
      'unprocessable',
      `Le fichier « ${fileName} » est endommagé : son archive ZIP est illisible.`,
    );
  if (entries.length > ZIP_LIMITS.maxEntries) throw refuse(`${entries.length} éléments dans l'archive`);
  let declared = 0;
  for (const e of entries) {
    if (e.uncompressedSize === 0xffffffff || e.compressedSize === 0xffffffff)
      throw refuse('archive ZIP64 de très grande taille');
    declared += e.uncompressedSize;
    const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
    if (e.uncompressedSize >= ZIP_LIMITS.ratioFloorBytes && ratio > ZIP_LIMITS.maxRatio) {
      throw refuse(`taux de compression anormal (${Math.round(ratio)} pour 1)`);
    }
  }
  if (declared > ZIP_LIMITS.maxTotalBytes)
    throw refuse(`contenu décompressé annoncé de ${Math.round(declared / 1024 / 1024)} Mo`);
  const out = new Map<string, Buffer>();
  let total = 0;
  for (const e of entries) {
    if (e.name.endsWith('/')) continue;
    let data: Buffer;
    try {
      data = inflateEntry(bytes, e, Math.min(e.uncompressedSize, ZIP_LIMITS.maxTotalBytes - total));
    } catch (cause) {
      if (cause instanceof RangeError)
        throw refuse(`« ${e.name} » est plus volumineux que la taille annoncée`);
      throw new AppError(
        'unprocessable',
        `Le fichier « ${fileName} » est endommagé : l'élément « ${e.name} » est illisible.`,
        { cause },
      );
    }
    total += data.length;
    out.set(e.name, data);
  }
  return out;
}
