/**
 * Just enough of the Compound File Binary format (old Office files, and Office files protected by
 * a password, which are a CFB wrapping `EncryptionInfo` + `EncryptedPackage`) to list the names of
 * its directory entries, so that a password-protected XLSX/DOCX is refused with the right message.
 */
const SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const END_OF_CHAIN = 0xfffffffe;

export function isCfb(bytes: Buffer): boolean {
  return bytes.length >= 512 && bytes.subarray(0, 8).equals(SIGNATURE);
}

/** Names of the directory entries, or null when the directory cannot be read. */
export function cfbEntryNames(bytes: Buffer): string[] | null {
  if (!isCfb(bytes)) return null;
  const shift = bytes.readUInt16LE(0x1e);
  if (shift !== 9 && shift !== 12) return null;
  const size = 1 << shift;
  const sector = (n: number) => {
    const start = (n + 1) * size;
    return start + size <= bytes.length ? bytes.subarray(start, start + size) : null;
  };
  // The FAT, from the header's first 109 DIFAT slots (enough for files up to ~7 MB of FAT chains
  // with 512-byte sectors; the directory is near the start in practice).
  const fat: number[] = [];
  const fatSectors = Math.min(bytes.readUInt32LE(0x2c), 109);
  for (let i = 0; i < fatSectors; i++) {
    const s = sector(bytes.readUInt32LE(0x4c + i * 4));
    if (!s) return null;
    for (let k = 0; k < size; k += 4) fat.push(s.readUInt32LE(k));
  }
  const names: string[] = [];
  let current = bytes.readUInt32LE(0x30);
  for (let guard = 0; current !== END_OF_CHAIN && guard < 10_000; guard++) {
    const s = sector(current);
    if (!s) return names.length ? names : null;
    for (let k = 0; k + 128 <= size; k += 128) {
      const length = s.readUInt16LE(k + 0x40);
      if (length >= 2 && length <= 64) names.push(s.toString('utf16le', k, k + length - 2));
    }
    current = fat[current] ?? END_OF_CHAIN;
  }
  return names;
}

/** An Office document (XLSX, DOCX, PPTX) protected by a password. */
export function isEncryptedOffice(bytes: Buffer): boolean {
  const names = cfbEntryNames(bytes);
  return !!names && names.includes('EncryptedPackage') && names.includes('EncryptionInfo');
}
