/**
 * The `travail-emploi` built-in collection from the npm package `@socialgouv/fiches-travail-data`:
 * every fiche ingested (in well under 30 s on a fresh store), chunked with its sections, dated,
 * cited to its official page; a second run skips everything; search finds a fiche by its topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isoDate,
  parseFiche,
  type TravailEmploiFiche,
} from '../../src/knowledge/sources/travail-emploi/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { ingestTravailEmploi, TRAVAIL_EMPLOI_COLLECTION } from '../../src/usecases/ingest-travail-emploi.js';
import { searchKnowledge } from '../../src/usecases/search-knowledge.js';

const DATA = join(
  dirname(createRequire(import.meta.url).resolve('@socialgouv/fiches-travail-data/package.json')),
  'data',
  'fiches-travail.json',
);
const dir = mkdtempSync(join(tmpdir(), 'guichet-travail-'));
const store = openSqliteStore(dir);
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('travail-emploi collection', () => {
  it('turns a real fiche into a dated document with its sections, linked to its page', async () => {
    const fiches = JSON.parse(await readFile(DATA, 'utf8')) as TravailEmploiFiche[];
    const f = fiches.find((x) => x.sections.length >= 3)!;
    const doc = parseFiche(f);
    expect(doc.externalId).toBe(f.pubId);
    expect(doc.url).toMatch(/^https:\/\/travail-emploi\.gouv\.fr\//);
    expect(doc.date).toBe(isoDate(f.date));
    expect(doc.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(doc.markdown.startsWith(`# ${f.title}`)).toBe(true);
    expect(doc.sections.some((s) => s.path.length === 1)).toBe(true);
    expect(doc.markdown).not.toMatch(/<\/?(p|div|strong)>/);
    expect(isoDate('13/11/2025')).toBe('2025-11-13');
    expect(isoDate('hier')).toBeNull();
  });

  it('ingests the whole package in ≤ 30 s, then skips it unchanged; search finds fiches by topic', async () => {
    const total = (JSON.parse(await readFile(DATA, 'utf8')) as unknown[]).length;
    const first = await ingestTravailEmploi({ store, chunkTokens: 350 });
    expect(first.failed).toEqual([]);
    expect(first.added).toBe(total);
    expect(first.durationMs).toBeLessThan(30_000);
    console.log(`[travail-emploi] ${total} fiches ingérées en ${(first.durationMs / 1000).toFixed(1)} s`);
    expect(await store.documents.count(TRAVAIL_EMPLOI_COLLECTION)).toBe(total);
    const again = await ingestTravailEmploi({ store, chunkTokens: 350 });
    expect(again).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: total });
    const collection = await store.collections.get(TRAVAIL_EMPLOI_COLLECTION);
    expect(collection).toMatchObject({ builtin: true, visibility: 'public' });

    const hits = await searchKnowledge({
      store,
      query: 'désigner un délégué syndical dans une entreprise de 50 salariés',
      collectionIds: [TRAVAIL_EMPLOI_COLLECTION],
    });
    expect(hits[0].title).toMatch(/délégué/i);
    expect(hits[0].url).toMatch(/^https:\/\/travail-emploi\.gouv\.fr\//);
    expect(hits[0].date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  }, 120_000);
});
