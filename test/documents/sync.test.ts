/**
 * A collection kept in step with a real folder on disk: add, change, rename, delete, a sub-folder
 * and a file that vanish, an unmounted folder (renamed away) and an empty mount point — each with
 * the expected store state. Then the real `guichet collections sync` command and the polling that
 * `guichet serve` runs from the configuration.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeServices } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load.js';
import { scheduleFolderSyncs } from '../../src/jobs/folder-sync.js';
import type { Store } from '../../src/store/spec.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { ingestDocument } from '../../src/usecases/ingest-document.js';
import { createCollection } from '../../src/usecases/manage-collections.js';
import { lastSyncReport, syncFolder, type SyncReport } from '../../src/usecases/sync-folder.js';
import { runCli } from '../helpers/cli.js';

let dataDir: string;
let root: string;
let folder: string;
let store: Store;
let collection: string;

const HORAIRES = '# Horaires de la mairie\n\nLa mairie est ouverte du lundi au vendredi de 8 h 30 à 12 h.\n';
const CANTINE = 'Quotient familial;Tarif repas\nQF 1;1,20 €\nQF 2;2,35 €\n';
const AGENDA = '# Agenda\n\nConseil municipal le 12 mars à 20 h.\n';

const sync = (extra: Partial<Parameters<typeof syncFolder>[0]> = {}) =>
  syncFolder({
    store,
    orgId: 'default',
    collectionId: collection,
    folder,
    maxBytes: 50 * 1024 * 1024,
    chunkTokens: 400,
    ...extra,
  });

/** externalId → document id, for the whole collection. */
async function state(): Promise<Record<string, string>> {
  const docs = await store.documents.list(collection, { limit: 1000, offset: 0 });
  return Object.fromEntries(docs.map((d) => [d.externalId, d.id]));
}

function touchLater(path: string) {
  const t = new Date(Date.now() + 5000);
  utimesSync(path, t, t);
}

describe('folder sync of a collection (real folder, real SQLite store)', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'guichet-sync-data-'));
    root = mkdtempSync(join(tmpdir(), 'guichet-sync-share-'));
    folder = join(root, 'mairie');
    mkdirSync(join(folder, 'ecoles'), { recursive: true });
    store = openSqliteStore(dataDir);
    collection = (await createCollection({ store, orgId: 'default', name: 'Partage mairie' })).id;
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  let ids: Record<string, string>;

  it('adds new files (sub-folders by relative path), skips hidden and lock files', async () => {
    writeFileSync(join(folder, 'horaires.md'), HORAIRES);
    writeFileSync(join(folder, 'ecoles', 'cantine.csv'), CANTINE);
    writeFileSync(join(folder, '.cache'), 'x');
    writeFileSync(join(folder, '~$brouillon.docx'), 'x');
    const r = await sync();
    expect(r.status).toBe('completed');
    expect(r.counts).toMatchObject({ added: 2, changed: 0, removed: 0, unchanged: 0, failed: 0 });
    ids = await state();
    expect(Object.keys(ids).sort()).toEqual(['ecoles/cantine.csv', 'horaires.md']);
    expect(await lastSyncReport(store, collection)).toEqual(r);
  });

  it('skips unchanged files, even touched ones (same content hash)', async () => {
    touchLater(join(folder, 'horaires.md'));
    const r = await sync();
    expect(r.counts).toMatchObject({ added: 0, changed: 0, unchanged: 2 });
    expect(r.files).toEqual([]);
    expect(await state()).toEqual(ids);
  });

  it('re-ingests a changed file into the same document', async () => {
    writeFileSync(join(folder, 'horaires.md'), HORAIRES.replace('12 h', '12 h 30 et le samedi matin'));
    touchLater(join(folder, 'horaires.md'));
    const r = await sync();
    expect(r.counts).toMatchObject({ changed: 1, unchanged: 1 });
    expect(await state()).toEqual(ids);
    const doc = await store.documents.get(ids['horaires.md']);
    expect(await store.documents.markdown(doc!.id)).toContain('samedi matin');
  });

  it('keeps the document of a renamed (or moved) file', async () => {
    renameSync(join(folder, 'ecoles', 'cantine.csv'), join(folder, 'tarifs-cantine.csv'));
    const r = await sync();
    expect(r.counts).toMatchObject({ renamed: 1, added: 0, removed: 0 });
    expect(r.files).toEqual([
      {
        path: 'tarifs-cantine.csv',
        action: 'renamed',
        from: 'ecoles/cantine.csv',
        documentId: ids['ecoles/cantine.csv'],
      },
    ]);
    expect(await state()).toEqual(ids); // same documents, same ids
    // Unchanged afterwards under its new name.
    expect((await sync()).counts).toMatchObject({ renamed: 0, unchanged: 2 });
  });

  it('removes the document of a deleted file, never a document uploaded by hand', async () => {
    await ingestDocument({
      store,
      orgId: 'default',
      collectionId: collection,
      fileName: 'main.md',
      bytes: Buffer.from(AGENDA),
      maxBytes: 1e6,
      chunkTokens: 400,
    });
    writeFileSync(join(folder, 'agenda.md'), AGENDA); // same content as the hand-made upload
    let r = await sync();
    expect(r.counts.added).toBe(1);
    // A file whose content duplicates another document is not re-read as changed at each sync.
    expect((await sync()).counts).toMatchObject({ added: 0, changed: 0, unchanged: 3 });
    unlinkSync(join(folder, 'horaires.md'));
    unlinkSync(join(folder, 'agenda.md'));
    r = await sync();
    expect(r.counts).toMatchObject({ removed: 2, unchanged: 1 });
    const now = await state();
    expect(now).toEqual({ 'ecoles/cantine.csv': ids['ecoles/cantine.csv'], 'main.md': now['main.md'] });
    expect(await store.documents.get(ids['horaires.md'])).toBeNull();
  });

  it('an unmounted folder (renamed away) deletes nothing, and the sync resumes when it is back', async () => {
    const before = await state();
    renameSync(folder, join(root, 'ailleurs'));
    const r = await sync();
    expect(r.status).toBe('unreachable');
    expect(r.message).toMatch(
      /inaccessible \(introuvable : partage non monté \?\) : aucun document n'a été supprimé/,
    );
    expect(await state()).toEqual(before);
    expect((await lastSyncReport(store, collection))?.status).toBe('unreachable');

    // An empty mount point (the share not mounted on it) is not an empty folder either.
    mkdirSync(folder);
    const empty = await sync();
    expect(empty.status).toBe('unreachable');
    expect(empty.message).toMatch(/est vide alors que 1 fichier\(s\) y étaient suivis/);
    expect(await state()).toEqual(before);

    rmSync(folder, { recursive: true });
    renameSync(join(root, 'ailleurs'), folder);
    const back = await sync();
    expect(back.status).toBe('completed');
    expect(back.counts).toMatchObject({ unchanged: 1, removed: 0, added: 0 });
    expect(await state()).toEqual(before);
  });

  it('skips a file that disappears during the sync and keeps going; unreadable files are reported', async () => {
    writeFileSync(join(folder, 'a-disparaitre.md'), '# Éphémère\n\nUn fichier qui disparaît.\n');
    writeFileSync(join(folder, 'b-nouveau.md'), '# Nouveau\n\nLe marché a lieu le jeudi matin.\n');
    writeFileSync(join(folder, 'c-vide.txt'), '');
    const r: SyncReport = await sync({
      // Listed, then gone before it is read.
      onProgress: (done) => {
        if (done === 0) unlinkSync(join(folder, 'a-disparaitre.md'));
      },
    });
    expect(r.files).toEqual(
      expect.arrayContaining([
        {
          path: 'a-disparaitre.md',
          action: 'skipped',
          reason: 'le fichier a disparu pendant la synchronisation',
        },
        expect.objectContaining({ path: 'b-nouveau.md', action: 'added' }),
        { path: 'c-vide.txt', action: 'failed', reason: 'Le fichier « c-vide.txt » est vide.' },
      ]),
    );
    expect(Object.keys(await state()).sort()).toEqual(['b-nouveau.md', 'ecoles/cantine.csv', 'main.md']);
    // The bad file is not retried while it does not change.
    expect((await sync()).counts).toMatchObject({ failed: 0, unchanged: 3 });
  });

  it('runs as the real command, and from the configuration as guichet serve polls it', async () => {
    writeFileSync(join(folder, 'd-cli.md'), '# Déchetterie\n\nLa déchetterie ouvre le samedi.\n');
    await store.close();
    const cli = runCli(['collections', 'sync', collection, folder], { GUICHET_DATA_DIR: dataDir });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/fichier\(s\) examinés : 1 ajouté\(s\), 0 modifié\(s\)/);
    expect(cli.stdout).toContain('  - ajouté : d-cli.md');
    const gone = runCli(['collections', 'sync', collection, join(root, 'absent')], {
      GUICHET_DATA_DIR: dataDir,
    });
    expect(gone.status).toBe(1);
    expect(gone.stdout.trim()).toMatch(
      /^Le dossier « .*absent » est inaccessible .* aucun document n'a été supprimé\.$/,
    );

    store = openSqliteStore(dataDir);
    writeFileSync(join(folder, 'e-serve.md'), '# Piscine\n\nLa piscine ferme en août.\n');
    const config = loadConfig({
      env: {},
      file: undefined,
      overrides: {
        data_dir: dataDir,
        log_level: 'silent',
        collections: { [collection]: { org: 'default', sync: { folder, interval_seconds: 3600 } } },
        documents: { max_upload_bytes: 1e6 },
        search: { chunk_tokens: 400 },
      },
    });
    const stop = scheduleFolderSyncs(composeServices({ config, store, env: {} }), 0);
    try {
      let report: SyncReport | null = null;
      for (let i = 0; i < 100 && !report?.files.some((f) => f.path === 'e-serve.md'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        report = await lastSyncReport(store, collection);
      }
      expect(report?.files).toEqual([expect.objectContaining({ path: 'e-serve.md', action: 'added' })]);
      expect(Object.keys(await state())).toContain('e-serve.md');
    } finally {
      stop();
    }
  }, 60_000);
  it('a folder of 10,000 files: all ingested, the stored report lists 1,000 and counts the rest, a re-sync skips them all', async () => {
    const big = join(root, 'archives');
    for (let i = 0; i < 10_000; i++) {
      const sub = join(big, `annee-${2000 + (i % 25)}`);
      if (i < 25) mkdirSync(sub, { recursive: true });
      writeFileSync(
        join(sub, `note-${i}.txt`),
        `Note ${i}\n\nLa salle ${i} est réservée le mardi pour l'association numéro ${i}.\n`,
      );
    }
    const archives = (await createCollection({ store, orgId: 'default', name: 'Archives' })).id;
    const run = () =>
      syncFolder({
        store,
        orgId: 'default',
        collectionId: archives,
        folder: big,
        maxBytes: 1e6,
        chunkTokens: 400,
      });
    const first = await run();
    expect(first.status).toBe('completed');
    expect(first.counts).toMatchObject({ added: 10_000, failed: 0, removed: 0 });
    expect(first.files).toHaveLength(1000);
    expect(first.filesOmitted).toBe(9000);
    expect((await lastSyncReport(store, archives))?.counts.added).toBe(10_000);
    const second = await run();
    expect(second.counts).toMatchObject({ unchanged: 10_000, added: 0, changed: 0, removed: 0 });
    const hits = await store.documents.list(archives, { limit: 1, offset: 9_999 });
    expect(hits).toHaveLength(1);
  }, 300_000);
});
