/**
 * The real `guichet` commands (child processes, kept few: each start costs seconds): documents add
 * on the commune folder plus one broken file (summary, French reason, exit 1), search finds a
 * local document by default, documents remove takes it out of search.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createCollection } from '../../src/usecases/manage-collections.js';
import { runCli } from '../helpers/cli.js';
import { COMMUNE, COMMUNE_FILES } from './helpers.js';

let dir: string;
let input: string;
let collection: string;
const env = () => ({ GUICHET_DATA_DIR: dir });

// The commune's files are part of the repository (eval/local/dev): never skipped.
describe('guichet collections / documents (real command)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'guichet-docs-cli-'));
    input = mkdtempSync(join(tmpdir(), 'guichet-docs-in-'));
    mkdirSync(join(input, 'commune', 'sous-dossier'), { recursive: true });
    for (const f of COMMUNE_FILES) copyFileSync(join(COMMUNE, f), join(input, 'commune', 'sous-dossier', f));
    writeFileSync(join(input, 'commune', 'vide.txt'), '');
    const store = openSqliteStore(dir);
    collection = (await createCollection({ store, orgId: 'default', name: 'Mairie' })).id;
    await store.close();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(input, { recursive: true, force: true });
  });

  it('adds a folder recursively, reports each failure in French and exits non-zero', () => {
    const r = runCli(['documents', 'add', '--collection', collection, join(input, 'commune')], env());
    expect(r.stdout).toContain(`12 fichiers traités`);
    expect(r.stdout).toContain('11 ajoutés');
    expect(r.stdout).toContain('1 en échec');
    expect(r.stdout).toMatch(/vide\.txt : Le fichier « vide\.txt » est vide\./);
    expect(r.status).toBe(1);
  });

  it('search finds the local document by default; remove takes it out of every search', () => {
    const found = runCli(['search', 'permanence CAF France Services', '--json'], env());
    expect(found.status, found.stderr).toBe(0);
    const hits = JSON.parse(found.stdout).results as { id: string; externalId: string }[];
    const doc = hits.find((h) => h.externalId === 'sous-dossier/france-services.html');
    expect(doc).toBeDefined();

    const removed = runCli(['documents', 'remove', doc!.id], env());
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('france-services.html');

    const after = runCli(
      ['search', 'permanence CAF France Services', '--json', '--collection', collection],
      env(),
    );
    expect(after.status, after.stderr).toBe(0);
    expect(
      (JSON.parse(after.stdout).results as { externalId: string }[]).map((h) => h.externalId),
    ).not.toContain('france-services.html');
  });
});
