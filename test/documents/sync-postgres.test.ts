/**
 * The folder sync on PostgreSQL (state and report in the meta table, documents replaced in place):
 * add, change, rename, delete, unmount — the expected store state each time. Unreachable
 * PostgreSQL: skipped with a printed reason, except under CI=true where it fails.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { createCollection } from '../../src/usecases/manage-collections.js';
import { lastSyncReport, syncFolder } from '../../src/usecases/sync-folder.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';

const reason = await unreachableReason();
if (reason && process.env.CI === 'true') throw new Error(`${reason} (CI=true : PostgreSQL est requis)`);
if (reason) console.warn(`[sync] ${reason} : synchronisation sur PostgreSQL ignorée.`);

let store: Store | undefined;
let dbName: string | undefined;
const root = mkdtempSync(join(tmpdir(), 'guichet-sync-pg-'));
afterAll(async () => {
  await store?.close();
  if (dbName) await dropDatabase(dbName);
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(reason !== null)('folder sync on PostgreSQL', () => {
  it('add, change, rename, delete, unmount: the expected documents each time', async () => {
    const db = await createDatabase();
    dbName = db.name;
    store = await openStore({
      dataDir: '.',
      databaseUrl: db.url,
      postgres: { logger: { warn: () => undefined } },
    });
    const s = store;
    const collection = (await createCollection({ store: s, orgId: 'default', name: 'Partage' })).id;
    const folder = join(root, 'mairie');
    mkdirSync(folder);
    const sync = () =>
      syncFolder({
        store: s,
        orgId: 'default',
        collectionId: collection,
        folder,
        maxBytes: 1e7,
        chunkTokens: 400,
      });
    const docs = async () =>
      Object.fromEntries(
        (await s.documents.list(collection, { limit: 100, offset: 0 })).map((d) => [d.externalId, d.id]),
      );

    writeFileSync(join(folder, 'horaires.md'), '# Horaires\n\nOuvert le lundi de 9 h à 12 h.\n');
    writeFileSync(join(folder, 'tarifs.csv'), 'Tranche;Tarif\nQF 1;1,20 €\n');
    expect((await sync()).counts).toMatchObject({ added: 2 });
    const ids = await docs();
    expect(Object.keys(ids).sort()).toEqual(['horaires.md', 'tarifs.csv']);

    writeFileSync(join(folder, 'horaires.md'), '# Horaires\n\nOuvert le lundi et le mardi de 9 h à 12 h.\n');
    expect((await sync()).counts).toMatchObject({ changed: 1, unchanged: 1 });
    expect(await docs()).toEqual(ids);
    expect(await s.documents.markdown(ids['horaires.md'])).toContain('mardi');

    renameSync(join(folder, 'tarifs.csv'), join(folder, 'tarifs-2025.csv'));
    expect((await sync()).counts).toMatchObject({ renamed: 1, added: 0, removed: 0 });
    expect(await docs()).toEqual(ids);

    unlinkSync(join(folder, 'horaires.md'));
    expect((await sync()).counts).toMatchObject({ removed: 1 });
    expect(await docs()).toEqual({ 'tarifs.csv': ids['tarifs.csv'] });

    renameSync(folder, join(root, 'demonte'));
    const away = await sync();
    expect(away.status).toBe('unreachable');
    expect(await docs()).toEqual({ 'tarifs.csv': ids['tarifs.csv'] });
    expect(await lastSyncReport(s, collection)).toEqual(away);
  }, 60_000);
});
