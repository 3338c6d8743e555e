import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { writeXmlCorpus } from './xml-corpus.js';
import { searchKnowledge } from '../../src/usecases/search-knowledge.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

async function documentCount(dataDir: string): Promise<number> {
  const store = openSqliteStore(dataDir);
  try {
    return await store.documents.count('service-public');
  } finally {
    await store.close();
  }
}

describe('guichet ingest service-public (real CLI, XML folder of real fiches)', () => {
  it('resumes after kill -9 mid-way: completes with no duplicate and no loss, then skips everything', async () => {
    const source = tmp('guichet-xml-');
    const ids = writeXmlCorpus(source, 1500);
    const dataDir = tmp('guichet-data-');
    const env = { GUICHET_DATA_DIR: dataDir };

    const child = startCli(['ingest', 'service-public', '--source', source], env);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`no progress seen: ${seen}`)), 120_000);
      child.stderr!.on('data', (d: Buffer) => {
        seen += d.toString();
        // Non-TTY progress prints a line every 10 %: kill at 40 %, with batches committed and others under way.
        if (/\(40 %\)/.test(seen)) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`ingest ended before it could be killed: ${seen}`));
      });
    });
    await new Promise((r) => child.once('close', r));
    const partial = await documentCount(dataDir);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(ids.length);

    const second = runCli(['ingest', 'service-public', '--source', source], env);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`${ids.length} publications lues`);
    expect(second.stdout).toMatch(new RegExp(`${ids.length - partial} ajoutées`));
    expect(await documentCount(dataDir)).toBe(ids.length);

    const third = runCli(['ingest', 'service-public', '--source', source], env);
    expect(third.status).toBe(0);
    expect(third.stdout).toContain(`0 ajoutées, 0 mises à jour, ${ids.length} inchangées`);
    expect(await documentCount(dataDir)).toBe(ids.length);
  }, 400_000);

  it('skips a publication that fails to parse, names it and counts it', () => {
    const source = tmp('guichet-xml-');
    writeXmlCorpus(source, 20);
    writeFileSync(
      join(source, 'particuliers', 'F99999.xml'),
      '<?xml version="1.0"?><Publication ID="F99999"><dc:title>Cassé',
    );
    const r = runCli(['ingest', 'service-public', '--source', source], {
      GUICHET_DATA_DIR: tmp('guichet-data-'),
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 en échec');
    expect(r.stdout).toContain('F99999');
    expect(r.stdout).toMatch(/20 ajoutées/);
  }, 120_000);
});

describe('bad input on the command line', () => {
  it('a missing --source exits non-zero with one French line and creates nothing', () => {
    const dataDir = tmp('guichet-data-');
    const r = runCli(['ingest', 'service-public', '--source', '/nulle/part/vosdroits-latest.zip'], {
      GUICHET_DATA_DIR: dataDir,
    });
    expect(r.status).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Erreur : Source service-public introuvable/);
  });

  it('a file that is not a zip is refused clearly', () => {
    const dir = tmp('guichet-bad-');
    const fake = join(dir, 'vosdroits-latest.zip');
    writeFileSync(fake, 'ceci n’est pas un zip');
    const r = runCli(['ingest', 'service-public', '--source', fake], {
      GUICHET_DATA_DIR: tmp('guichet-data-'),
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Erreur : /);
  });

  it('an empty or absurd query returns an empty result, not a crash', async () => {
    const dataDir = tmp('guichet-data-');
    const r = runCli(['search', '   ', '--json'], { GUICHET_DATA_DIR: dataDir });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).results).toEqual([]);
    const store = openSqliteStore(dataDir);
    for (const query of ['', '!!!???', 'x'.repeat(50_000), '"\'*:()^-NEAR AND OR', '\u0000\u0001']) {
      expect(await searchKnowledge({ store, query, collectionIds: ['service-public'] })).toEqual([]);
    }
    await store.close();
    const bad = runCli(['search', 'passeport', '--k', 'zéro'], { GUICHET_DATA_DIR: dataDir });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--k doit être un entier');
  });

  it('a corrupted data folder is reported, never rebuilt over', () => {
    const dataDir = tmp('guichet-data-');
    const garbage = Buffer.alloc(8192, 7);
    writeFileSync(join(dataDir, 'guichet.sqlite'), garbage);
    const r = runCli(['search', 'passeport'], { GUICHET_DATA_DIR: dataDir });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/illisible ou endommagée/);
    expect(readFileSync(join(dataDir, 'guichet.sqlite')).equals(garbage)).toBe(true);
  });
});
