/** Publications from a folder tree (the npm package's `data/`, or an unpacked DILA zip). */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { AppError } from '../../../shared/errors.js';
import { classify, dedupe, sniffAudiences, type CatalogEntry } from './catalog.js';
import type { RawPublication, ServicePublicSource } from './types.js';

/** How many files are read ahead of the consumer (disk latency hidden, memory bounded). */
const READ_AHEAD = 32;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

export async function openFolderSource(dir: string, description: string): Promise<ServicePublicSource> {
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (e) {
    throw new AppError(
      'invalid_request',
      `Dossier illisible : ${dir}. Vérifiez le chemin et les droits de lecture.`,
      {
        cause: e,
      },
    );
  }
  const catalog = files
    .map((f) => classify(relative(dir, f), f))
    .filter((e): e is CatalogEntry<string> => e !== null);
  const chosen = dedupe(catalog);
  if (chosen.length === 0) {
    throw new AppError(
      'invalid_request',
      `Aucune publication (fichier F…, N… ou R….xml) dans ${dir}. Indiquez le dossier décompressé de vosdroits-latest.zip ou le fichier zip lui-même.`,
    );
  }
  return {
    description,
    count: chosen.length,
    async *entries(): AsyncIterable<RawPublication> {
      const read = (path: string): Promise<Buffer> =>
        readFile(path).catch((e: unknown) => {
          throw new AppError(
            'invalid_request',
            `Fichier illisible : ${path}. Vérifiez les droits de lecture.`,
            {
              cause: e,
            },
          );
        });
      const pending: Promise<Buffer>[] = [];
      const ahead = (i: number): void => {
        if (i >= chosen.length) return;
        const p = read(chosen[i].entry.ref);
        p.catch(() => undefined); // a consumer that stops early must not leave an unhandled rejection
        pending[i] = p;
      };
      for (let i = 0; i < READ_AHEAD; i++) ahead(i);
      for (let i = 0; i < chosen.length; i++) {
        const bytes = await pending[i];
        ahead(i + READ_AHEAD);
        delete pending[i];
        const { entry, audiences } = chosen[i];
        const found = audiences.length > 0 ? audiences : entry.format === 'xml' ? sniffAudiences(bytes) : [];
        yield {
          externalId: entry.id,
          audience: found[0] ?? 'particuliers',
          audiences: found.length > 0 ? found : ['particuliers'],
          format: entry.format,
          bytes,
          origin: entry.ref,
        };
      }
    },
  };
}
