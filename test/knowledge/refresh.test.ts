/**
 * `guichet ingest service-public --update` against a loopback HTTP server serving DILA-style archives
 * built here from real XML (the package's fiches turned back into DILA XML, and the hand-written
 * fixtures): first download, 304, a changed set, and every bad input of the issue. After each step
 * the corpus is checked by search.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeSchema, type ServicePublicRefreshConfig } from '../../src/knowledge/config.js';
import { createEgressFetch } from '../../src/models/http-client.js';
import { AppError } from '../../src/shared/errors.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/spec.js';
import {
  readLastRefresh,
  refreshServicePublic,
  type RefreshReport,
} from '../../src/usecases/refresh-service-public.js';
import { searchKnowledge } from '../../src/usecases/search-knowledge.js';
import { startCli } from '../helpers/cli.js';
import { archive, fixture, loopback, merge as part, zipOf, type Loopback } from './dila-server.js';
import { xmlPublications } from './xml-corpus.js';

describe('corpus refresh from DILA archives over loopback HTTP', () => {
  let web: Loopback;
  let elsewhere: Loopback;
  let dataDir: string;
  let store: Store;
  let config: ServicePublicRefreshConfig;
  const particuliers = xmlPublications('particuliers', 8);
  const professionnels = xmlPublications('professionnels', 4);
  const associations = xmlPublications('associations', 3);
  const addedLater = xmlPublications('particuliers', 1, 8);
  const f90001 = fixture('F90001.xml');
  const f90001Changed = f90001
    .replace('<dc:date>modified 2021-06-15</dc:date>', '<dc:date>modified 2026-11-20</dc:date>')
    .replace(
      '<Introduction>',
      '<Introduction><Texte><Paragraphe>Depuis la réforme, le dossier passe par le guichet zorglubien de la Caf.</Paragraphe></Texte>',
    );
  let v1: { part: Buffer; pro: Buffer; asso: Buffer };
  let v2Part: Buffer;
  let v2Pro: Buffer;

  const refresh = (c: ServicePublicRefreshConfig = config, origins?: string[]) =>
    refreshServicePublic({
      store,
      egress: createEgressFetch(origins ?? [web.origin]),
      config: c,
      dataDir,
      chunkTokens: 350,
    });
  const search = async (query: string) =>
    (await searchKnowledge({ store, query, collectionIds: ['service-public'], k: 5 })).map(
      (h) => h.externalId,
    );
  const count = () => store.documents.count('service-public');

  beforeAll(async () => {
    web = await loopback();
    elsewhere = await loopback();
    dataDir = mkdtempSync(join(tmpdir(), 'guichet-refresh-'));
    store = openSqliteStore(dataDir);
    v1 = {
      part: await zipOf(part(particuliers, { 'F90001.xml': f90001, 'arborescence.xml': '<Arborescence/>' })),
      pro: await zipOf(part(professionnels, { 'F90002.xml': fixture('F90002.xml') })),
      asso: await zipOf(part(associations, { 'R90003.xml': fixture('R90003.xml') })),
    };
    v2Part = await zipOf(part(part(particuliers, addedLater), { 'F90001.xml': f90001Changed }));
    v2Pro = await zipOf(professionnels); // F90002 removed
    web.routes.set('/part.zip', archive(v1.part));
    web.routes.set('/pro.zip', archive(v1.pro));
    web.routes.set('/asso.zip', archive(v1.asso));
    config = knowledgeSchema.parse({
      service_public: {
        sources: {
          particuliers: `${web.origin}/part.zip`,
          professionnels: `${web.origin}/pro.zip`,
          associations: `${web.origin}/asso.zip`,
        },
        redirect_origins: [],
        timeout_seconds: 5,
      },
    }).service_public;
  });

  afterAll(async () => {
    await store?.close();
    await web?.close();
    await elsewhere?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let firstCount = 0;

  it('first download: every archive fetched, checked and ingested; the corpus answers from it', async () => {
    const r = await refresh();
    expect(r.status).toBe('updated');
    expect(r.archives.map((a) => a.status)).toEqual(['downloaded', 'downloaded', 'downloaded']);
    expect(r.archives[0].publications).toBe(particuliers.size + 1);
    const ids = new Set([...particuliers.keys(), ...professionnels.keys(), ...associations.keys()]);
    firstCount = ids.size + 3;
    expect(r.summary!.added).toBe(firstCount);
    expect(r.summary!.removed).toBe(0);
    expect(await count()).toBe(firstCount);
    expect((await search('aide exemple logement locataire'))[0]).toBe('F90001');
    expect(await search('déclarer une embauche')).toContain('F90002');
    const f90002 = await store.documents.getByExternalId('service-public', 'F90002');
    expect(f90002?.audience).toBe('professionnels');
    const last = await readLastRefresh(store);
    expect(last?.ok).toBe(true);
    expect(last?.message).toMatch(/Corpus mis à jour depuis la DILA/);
    expect(await store.meta.get('service_public.latest_date')).toBeTruthy();
  });

  it('unchanged: conditional requests answered 304, nothing re-ingested', async () => {
    const before = web.seen.length;
    const r = await refresh();
    expect(r.status).toBe('unchanged');
    expect(r.summary).toBeNull();
    expect(r.archives.map((a) => a.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const sent = web.seen.slice(before);
    expect(sent).toHaveLength(3);
    for (const s of sent) {
      expect(s.headers['if-none-match']).toMatch(/^"[0-9a-f]{40}"$/);
      expect(s.headers['if-modified-since']).toBe('Tue, 01 Dec 2026 06:00:00 GMT');
    }
    expect(await count()).toBe(firstCount);
    expect((await search('aide exemple logement locataire'))[0]).toBe('F90001');
  });

  /** Bad input: a one-line French error naming the cause, and the corpus exactly as it was. */
  async function expectRefused(
    pattern: RegExp,
    c: ServicePublicRefreshConfig = config,
    origins?: string[],
  ): Promise<void> {
    const hashes = await store.documents.hashes('service-public');
    const files = readdirSync(join(dataDir, 'service-public')).sort();
    const held = readFileSync(join(dataDir, 'service-public', 'particuliers.zip'));
    const e = (await refresh(c, origins).then(
      (r: RefreshReport) => r,
      (err: unknown) => err,
    )) as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect(e.message).not.toContain('\n');
    expect(e.message).toMatch(/^Mise à jour du corpus (impossible|refusée)/);
    expect(e.message).toMatch(/Le corpus actuel reste en service/);
    expect(e.message).toMatch(pattern);
    // Nothing replaced: same publications, same archives held, no partial file left.
    expect(await store.documents.hashes('service-public')).toEqual(hashes);
    expect(readdirSync(join(dataDir, 'service-public')).sort()).toEqual(files);
    expect(readFileSync(join(dataDir, 'service-public', 'particuliers.zip')).equals(held)).toBe(true);
    expect((await search('aide exemple logement locataire'))[0]).toBe('F90001');
    expect(await search('zorglubien')).not.toContain('F90001');
    const last = await readLastRefresh(store);
    expect(last?.ok).toBe(false);
    expect(last?.message).toBe(e.message);
  }

  describe('bad input: the changed particuliers archive is fetched, the professionnels one fails', () => {
    beforeAll(() => web.routes.set('/part.zip', archive(v2Part)));
    const withPro = (url: string) => ({ ...config, sources: { ...config.sources, professionnels: url } });

    it('404', async () => {
      web.routes.set('/pro-404.zip', (_q, s) => void s.writeHead(404).end('Not Found'));
      await expectRefused(/professionnels.*HTTP 404/, withPro(`${web.origin}/pro-404.zip`));
    });

    it('500', async () => {
      web.routes.set('/pro-500.zip', (_q, s) => void s.writeHead(500).end('oops'));
      await expectRefused(/HTTP 500/, withPro(`${web.origin}/pro-500.zip`));
    });

    it('unreachable host (connection refused)', async () => {
      const closed = await loopback();
      const origin = closed.origin;
      await closed.close();
      await expectRefused(/connexion refusée/, withPro(`${origin}/pro.zip`), [web.origin, origin]);
    });

    it('DNS failure', async () => {
      const origin = 'http://guichet-test.invalid';
      await expectRefused(/introuvable \(DNS\)/, withPro(`${origin}/pro.zip`), [web.origin, origin]);
    });

    it('a truncated zip (whole response, archive cut short)', async () => {
      web.routes.set('/pro-cut.zip', archive(v2Pro.subarray(0, Math.floor(v2Pro.length / 2))));
      await expectRefused(/illisible ou tronquée/, withPro(`${web.origin}/pro-cut.zip`));
    });

    it('a connection cut mid-download', async () => {
      web.routes.set('/pro-reset.zip', (_q, s) => {
        s.writeHead(200, { 'content-length': v2Pro.length, 'content-type': 'application/zip' });
        s.write(v2Pro.subarray(0, 100), () => s.socket?.destroy());
      });
      await expectRefused(/interrompue|incomplet/, withPro(`${web.origin}/pro-reset.zip`));
    });

    it('an HTML page instead of a zip (captive portal)', async () => {
      web.routes.set(
        '/pro-portal.zip',
        (_q, s) =>
          void s
            .writeHead(200, { 'content-type': 'text/html' })
            .end('<!DOCTYPE html><html><body>Connectez-vous au Wi-Fi de la mairie</body></html>'),
      );
      await expectRefused(/page HTML/, withPro(`${web.origin}/pro-portal.zip`));
    });

    it('a zip bomb', async () => {
      const bomb = await zipOf({ 'F99999.xml': Buffer.alloc(40 * 1024 * 1024, 0x20) });
      expect(bomb.length).toBeLessThan(1024 * 1024);
      web.routes.set('/pro-bomb.zip', archive(bomb));
      await expectRefused(/bombe zip/, withPro(`${web.origin}/pro-bomb.zip`));
    });

    it('a zip bomb within the ratio, over the size limit', async () => {
      const big = await zipOf({ 'F99998.xml': randomBytes(3 * 1024 * 1024) });
      web.routes.set('/pro-big.zip', archive(big));
      await expectRefused(/au-delà de la limite/, {
        ...withPro(`${web.origin}/pro-big.zip`),
        max_uncompressed_bytes: 2 * 1024 * 1024,
      });
    });

    it('a zip with no publication', async () => {
      web.routes.set(
        '/pro-empty.zip',
        archive(await zipOf({ 'arborescence.xml': '<Arborescence/>', 'menu.xml': '<Menu/>' })),
      );
      await expectRefused(/aucune publication/, withPro(`${web.origin}/pro-empty.zip`));
    });

    it('a partial export (archives that would remove most of the corpus)', async () => {
      web.routes.set('/part-tiny.zip', archive(await zipOf({ 'F90001.xml': f90001Changed })));
      web.routes.set('/pro-tiny.zip', archive(await zipOf({ 'F90002.xml': fixture('F90002.xml') })));
      await expectRefused(/retireraient \d+ des \d+ publications indexées/, {
        ...config,
        sources: {
          ...config.sources,
          particuliers: `${web.origin}/part-tiny.zip`,
          professionnels: `${web.origin}/pro-tiny.zip`,
        },
      });
    });

    it('a download larger than the size limit', async () => {
      await expectRefused(/au-delà de la limite/, {
        ...withPro(`${web.origin}/pro.zip`),
        max_download_bytes: 1024,
        sources: { ...config.sources, particuliers: `${web.origin}/part.zip` },
      });
    });

    it('a host not on the allow-list', async () => {
      elsewhere.routes.set('/pro.zip', archive(v2Pro));
      await expectRefused(/n'est pas autorisée/, withPro(`${elsewhere.origin}/pro.zip`));
      expect(elsewhere.seen).toHaveLength(0);
    });

    it('a redirect to another host', async () => {
      elsewhere.routes.set('/pro.zip', archive(v2Pro));
      web.routes.set(
        '/pro-moved.zip',
        (_q, s) => void s.writeHead(302, { location: `${elsewhere.origin}/pro.zip` }).end(),
      );
      await expectRefused(/redirection vers .* refusée/, withPro(`${web.origin}/pro-moved.zip`));
      expect(elsewhere.seen).toHaveLength(0);
    });

    it('a download slower than the time limit', async () => {
      web.routes.set('/pro-slow.zip', (_q, s) => {
        s.writeHead(200, { 'content-length': v2Pro.length, 'content-type': 'application/zip' });
        let i = 0;
        const t = setInterval(() => {
          if (s.destroyed || i >= v2Pro.length) return clearInterval(t);
          s.write(v2Pro.subarray(i, i + 64));
          i += 64;
        }, 100);
        s.on('close', () => clearInterval(t));
      });
      const started = Date.now();
      await expectRefused(/délai de 0.5 s dépassé/, {
        ...withPro(`${web.origin}/pro-slow.zip`),
        timeout_seconds: 0.5,
      });
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  it('a redirect within declared origins is followed', async () => {
    web.routes.set('/pro-moved-here.zip', (_q, s) => void s.writeHead(301, { location: '/pro.zip' }).end());
    // Still the v1 professionnels archive: only the changed particuliers one matters below.
    const r = await refresh({
      ...config,
      sources: { ...config.sources, professionnels: `${web.origin}/pro-moved-here.zip` },
    });
    expect(r.status).toBe('updated');
    expect(r.summary!.updated).toBe(1);
    expect(r.summary!.added).toBe(1);
    expect(r.summary!.removed).toBe(0);
  });

  it('changed: one fiche modified, one added, one removed; the change report names them', async () => {
    web.routes.set('/pro.zip', archive(v2Pro));
    const r = await refresh();
    expect(r.status).toBe('updated');
    expect(r.archives.map((a) => a.status)).toEqual(['unchanged', 'downloaded', 'unchanged']);
    expect(r.summary).toMatchObject({ added: 0, updated: 0, removed: 1 });
    expect(r.summary!.changes).toEqual([
      expect.objectContaining({
        id: 'F90002',
        change: 'removed',
        title: 'Comment déclarer une embauche ?',
        date: '2022-01-03',
      }),
    ]);
    expect(await search('déclarer une embauche')).not.toContain('F90002');
    expect((await search('zorglubien'))[0]).toBe('F90001');
    const [addedId] = [...addedLater.keys()];
    expect(await store.documents.getByExternalId('service-public', addedId)).not.toBeNull();
    expect(await count()).toBe(firstCount);
  });

  it('changed in one go, through the real CLI (--update --json): report with titles and dates', async () => {
    // Back to the first version, then the whole change in one refresh.
    web.routes.set('/part.zip', archive(v1.part));
    web.routes.set('/pro.zip', archive(v1.pro));
    expect((await refresh()).summary).toMatchObject({ added: 1, updated: 1, removed: 1 });
    web.routes.set('/part.zip', archive(v2Part));
    web.routes.set('/pro.zip', archive(v2Pro));
    const yaml = join(dataDir, 'guichet.yaml');
    writeFileSync(
      yaml,
      [
        'knowledge:',
        '  service_public:',
        '    sources:',
        `      particuliers: ${web.origin}/part.zip`,
        `      professionnels: ${web.origin}/pro.zip`,
        `      associations: ${web.origin}/asso.zip`,
        '    redirect_origins: []',
      ].join('\n'),
    );
    await store.close();
    const out = await cli(['ingest', 'service-public', '--update', '--json'], {
      GUICHET_DATA_DIR: dataDir,
      GUICHET_CONFIG: yaml,
    });
    store = openSqliteStore(dataDir);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as Record<string, unknown> & {
      changes: { id: string; change: string; title: string; date: string; previous_date?: string }[];
    };
    expect(report).toMatchObject({ status: 'updated', added: 1, updated: 1, removed: 1 });
    const byId = new Map(report.changes.map((c) => [c.id, c]));
    expect(byId.get('F90001')).toEqual({
      id: 'F90001',
      change: 'updated',
      title: 'Aide exemple au logement',
      date: '2026-11-20',
      previous_date: '2021-06-15',
    });
    expect(byId.get('F90002')).toMatchObject({ change: 'removed', title: 'Comment déclarer une embauche ?' });
    expect(byId.get([...addedLater.keys()][0])).toMatchObject({ change: 'added' });
    expect(report.changes[0].id).toBe('F90001'); // newest first
    expect((await search('zorglubien'))[0]).toBe('F90001');

    // A bad input on the command line: one French line, exit 1, corpus unchanged.
    web.routes.set('/pro.zip', (_q, s) => void s.writeHead(404).end());
    await store.close();
    const bad = await cli(['ingest', 'service-public', '--update'], {
      GUICHET_DATA_DIR: dataDir,
      GUICHET_CONFIG: yaml,
    });
    store = openSqliteStore(dataDir);
    expect(bad.code).toBe(1);
    expect(
      bad.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('Téléchargement')),
    ).toHaveLength(1);
    expect(bad.stderr).toMatch(/Mise à jour du corpus impossible .*HTTP 404.*reste en service/);
    expect((await search('zorglubien'))[0]).toBe('F90001');
  }, 60_000);
});

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
