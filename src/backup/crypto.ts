/**
 * Passphrase encryption of a backup archive with Node's crypto (no extra dependency), in a documented
 * format that any tool can read back:
 *
 *   offset  size  content
 *   0       12    ASCII "GUICHETENC1\n"
 *   12      1     log2(N) of scrypt (15)
 *   13      1     r of scrypt (8)
 *   14      1     p of scrypt (1)
 *   15      16    scrypt salt (random)
 *   31      12    AES-256-GCM nonce (random)
 *   43      …     ciphertext of the whole zip archive
 *   end-16  16    GCM authentication tag
 *
 * key = scrypt(passphrase as UTF-8 NFC, salt, 32 bytes, N, r, p). Decryption writes to a file that is
 * used only once the tag has been checked: a wrong passphrase or a modified byte is an error.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../shared/errors.js';

const MAGIC = Buffer.from('GUICHETENC1\n', 'ascii');
const HEADER = MAGIC.length + 3 + 16 + 12;
const TAG = 16;
const LOG_N = 15;
const R = 8;
const P = 1;

function deriveKey(passphrase: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      Buffer.from(passphrase.normalize('NFC'), 'utf8'),
      salt,
      32,
      { N: 2 ** logN, r, p, maxmem: 256 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

/** True when the file starts with the encrypted format's magic bytes. */
export function isEncrypted(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(MAGIC);
  } finally {
    closeSync(fd);
  }
}

export async function encryptFile(source: string, target: string, passphrase: string): Promise<void> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(passphrase, salt, LOG_N, R, P);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const out = createWriteStream(target, { flags: 'wx' });
  out.write(Buffer.concat([MAGIC, Buffer.from([LOG_N, R, P]), salt, iv]));
  await pipeline(createReadStream(source), cipher, out, { end: false });
  await new Promise<void>((resolve, reject) =>
    out.end(cipher.getAuthTag(), (e?: Error | null) => (e ? reject(e) : resolve())),
  );
}

export async function decryptFile(source: string, target: string, passphrase: string): Promise<void> {
  const size = statSync(source).size;
  if (size < HEADER + TAG) throw new AppError('invalid_request', 'Sauvegarde chiffrée tronquée.');
  const fd = openSync(source, 'r');
  const head = Buffer.alloc(HEADER);
  const tag = Buffer.alloc(TAG);
  try {
    readSync(fd, head, 0, HEADER, 0);
    readSync(fd, tag, 0, TAG, size - TAG);
  } finally {
    closeSync(fd);
  }
  if (!head.subarray(0, MAGIC.length).equals(MAGIC))
    throw new AppError('invalid_request', "Ce fichier n'est pas une sauvegarde chiffrée de Guichet.");
  const [logN, r, p] = [head[MAGIC.length]!, head[MAGIC.length + 1]!, head[MAGIC.length + 2]!];
  if (logN > 20 || r > 32 || p > 16)
    throw new AppError('invalid_request', 'Paramètres de chiffrement invalides.');
  const salt = head.subarray(MAGIC.length + 3, MAGIC.length + 19);
  const iv = head.subarray(MAGIC.length + 19, HEADER);
  const key = await deriveKey(passphrase, salt, logN, r, p);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  try {
    await pipeline(
      createReadStream(source, { start: HEADER, end: size - TAG - 1 }),
      decipher,
      createWriteStream(target, { flags: 'wx' }),
    );
  } catch {
    rmSync(target, { force: true });
    throw new AppError(
      'invalid_request',
      'Déchiffrement impossible : phrase de passe incorrecte ou sauvegarde modifiée. Rien n’a été modifié.',
    );
  }
}
