/**
 * Collections and documents through the real HTTP API (loopback, real SQLite): scoping to the
 * organisation, duplicates, replacement, deletion from every search path, and every bad upload
 * answered with an OpenAI-shaped 4xx that leaves the store exactly as it was.
 */
import { skipWithoutChromium } from '../helpers/browser.js';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { makeDocx, makeEncryptedPdf, makePdf, docxParts, makeZip, scanPdf } from '../fixtures/files/make.js';
import { cer, renderTextPixels, toBits } from '../fixtures/files/scan.js';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';
import { snapshot, uploadForm } from './helpers.js';

const LIMIT = 200_000;
let app: RunningApp;
let admin: string;
let agent: string;
let foreign: string;
let collection: string;

const auth = (key: string) => ({ authorization: `Bearer ${key}` });
async function call(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: body === undefined ? auth(key) : bearer(key),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
async function upload(form: FormData, key = admin) {
  const res = await fetch(`${app.url}/v1/documents`, { method: 'POST', headers: auth(key), body: form });
  return { status: res.status, body: (await res.json()) as any };
}
async function search(query: string, key = admin, collections?: string[]) {
  const r = await call('POST', '/v1/search', key, { query, k: 10, ...(collections ? { collections } : {}) });
  expect(r.status).toBe(200);
  return r.body.data as {
    id: string;
    external_id: string;
    collection: string;
    passages: { text: string }[];
  }[];
}
function expectOpenAiError(body: any) {
  expect(body).toEqual({
    error: {
      message: expect.any(String),
      type: expect.any(String),
      param: body?.error?.param === null ? null : expect.any(String),
      code: expect.any(String),
    },
  });
}

const HOURS = `# Horaires de la mairie\n\n## Accueil\n\nLa mairie de Vercelline est ouverte le mardi de 9h à 12h.\n`;
const HOURS_V2 = `# Horaires de la mairie\n\n## Accueil\n\nLa mairie de Vercelline est ouverte le jeudi de 14h à 18h.\n`;

beforeAll(async () => {
  app = await startTestApp({ config: { documents: { max_upload_bytes: LIMIT } } });
  const store = app.services.store;
  await store.collections.create({
    id: 'service-public',
    orgId: 'default',
    name: 'Service-public.fr',
    visibility: 'public',
    builtin: true,
  });
  admin = await createTestKey(store, { role: 'admin' });
  agent = await createTestKey(store, { role: 'agent' });
  foreign = await createTestKey(store, { orgId: 'autre-ville', role: 'admin' });
});
afterAll(() => app?.close());

describe('collections API', () => {
  it('creates, lists, reads, renames a collection of the caller’s organisation', async () => {
    const created = await call('POST', '/v1/collections', admin, {
      name: 'Mairie de Vercelline',
      description: 'Documents de la mairie',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: 'collection',
      name: 'Mairie de Vercelline',
      visibility: 'private',
      owner: 'default',
      writable: true,
      document_count: 0,
    });
    collection = created.body.id;
    const list = await call('GET', '/v1/collections', agent);
    expect(list.body.data.map((c: any) => c.id)).toEqual(['service-public', collection]);
    expect(list.body.data[0]).toMatchObject({ builtin: true, writable: false });
    const renamed = await call('PATCH', `/v1/collections/${collection}`, admin, {
      description: 'Horaires et procédures',
    });
    expect(renamed.body.description).toBe('Horaires et procédures');
    expect((await call('GET', `/v1/collections/${collection}`, agent)).body.name).toBe(
      'Mairie de Vercelline',
    );
  });

  it('keeps the national collection read-only (403, in French)', async () => {
    for (const method of ['PATCH', 'DELETE']) {
      const r = await call(
        method,
        '/v1/collections/service-public',
        admin,
        method === 'PATCH' ? { name: 'x' } : undefined,
      );
      expect(r.status).toBe(403);
      expectOpenAiError(r.body);
      expect(r.body.error.message).toMatch(/lecture seule/);
    }
    const r = await upload(uploadForm({ bytes: HOURS, fileName: 'h.md', collection: 'service-public' }));
    expect(r.status).toBe(403);
  });

  it('hides a private collection from other organisations (same 404 as an unknown id)', async () => {
    const unknown = await call('GET', '/v1/collections/col_inconnue', foreign);
    const hidden = await call('GET', `/v1/collections/${collection}`, foreign);
    expect(hidden.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(hidden.body.error.message.replace(collection, 'X')).toBe(
      unknown.body.error.message.replace('col_inconnue', 'X'),
    );
    expect((await call('GET', '/v1/collections', foreign)).body.data.map((c: any) => c.id)).toEqual([
      'service-public',
    ]);
    expect((await call('DELETE', `/v1/collections/${collection}`, foreign)).status).toBe(404);
    expect((await call('GET', `/v1/documents?collection=${collection}`, foreign)).status).toBe(404);
    expect((await upload(uploadForm({ bytes: HOURS, fileName: 'h.md', collection }), foreign)).status).toBe(
      404,
    );
    const s = await call('POST', '/v1/search', foreign, { query: 'horaires', collections: [collection] });
    expect(s.status).toBe(404);
  });

  it('refuses collection changes to an agent (role)', async () => {
    expect((await call('POST', '/v1/collections', agent, { name: 'x' })).status).toBe(403);
  });
});

describe('documents API', () => {
  let docId: string;

  it('adds a document, finds it by default search, and detects a re-upload by its content', async () => {
    const first = await upload(
      uploadForm({ bytes: HOURS, fileName: 'horaires.md', collection, metadata: '{"service":"accueil"}' }),
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      object: 'document',
      file_name: 'horaires.md',
      format: 'markdown',
      duplicate: false,
      replaced: false,
      metadata: { service: 'accueil' },
    });
    docId = first.body.id;
    const again = await upload(uploadForm({ bytes: HOURS, fileName: 'copie-horaires.md', collection }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: docId, duplicate: true });
    const list = await call('GET', `/v1/documents?collection=${collection}`, agent);
    expect(list.body.total).toBe(1);
    // No `collections`: the national corpus and the organisation's own collections.
    const hits = await search('horaires mairie Vercelline mardi', agent);
    expect(hits[0]).toMatchObject({ id: docId, external_id: 'horaires.md', collection });
  });

  it('replaces a file uploaded again under the same name, old text gone from search', async () => {
    const v2 = await upload(uploadForm({ bytes: HOURS_V2, fileName: 'horaires.md', collection }));
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ id: docId, replaced: true, duplicate: false });
    const got = await call('GET', `/v1/documents/${docId}`, agent);
    expect(got.body.chunks.map((c: any) => c.text).join('\n')).toContain('jeudi de 14h à 18h');
    expect(got.body.markdown).not.toContain('mardi');
    expect((await call('GET', `/v1/documents?collection=${collection}`, agent)).body.total).toBe(1);
    const hits = await search('mardi', agent, [collection]);
    expect(hits).toEqual([]);
  });

  it('deletes a document from every search path', async () => {
    expect((await call('DELETE', `/v1/documents/${docId}`, agent)).status).toBe(403); // agents cannot write
    const del = await call('DELETE', `/v1/documents/${docId}`, admin);
    expect(del.body).toEqual({ id: docId, object: 'document', deleted: true });
    expect((await call('GET', `/v1/documents/${docId}`, admin)).status).toBe(404);
    expect(await search('horaires mairie Vercelline jeudi', admin)).toEqual([]);
    expect(await app.services.store.documents.chunks(docId)).toEqual([]);
    expect((await app.services.store.search.termStats(['vercellin'])).df.get('vercellin') ?? 0).toBe(0);
  });
});

describe('scanned PDF upload (OCR)', () => {
  it('reads a PDF whose page is a 1-bit Flate-encoded scan, found by search', async (ctx) => {
    // The page is text printed by Chromium (absent: skipped with its reason; under CI it must run).
    if (skipWithoutChromium('scanned PDF upload (OCR)')) return ctx.skip();
    const lines = [
      'Arrêté du maire : le stationnement est interdit place de la Fontaine.',
      'Le marché du samedi est déplacé rue des Tilleuls pendant les travaux.',
    ];
    const pixels = await renderTextPixels(lines);
    if (!pixels) throw new Error('Chromium did not render the page');
    const pdf = scanPdf([
      {
        pictures: [
          {
            width: pixels.width,
            height: pixels.height,
            dict: '/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode',
            data: deflateSync(toBits(pixels, 0)),
          },
        ],
      },
    ]);
    expect(pdf.length).toBeLessThan(LIMIT);
    const r = await upload(uploadForm({ bytes: pdf, fileName: 'arrete-scanne.pdf', collection }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ file_name: 'arrete-scanne.pdf', format: 'pdf' });
    const got = await call('GET', `/v1/documents/${r.body.id}`, agent);
    expect(cer(lines.join(' '), got.body.chunks.map((c: any) => c.text).join(' '))).toBeLessThanOrEqual(0.05);
    const hits = await search('marché déplacé rue des Tilleuls', agent, [collection]);
    expect(hits[0]).toMatchObject({ id: r.body.id, external_id: 'arrete-scanne.pdf' });
    // The bad-upload cases below count the collection's documents: leave it as it was.
    expect((await call('DELETE', `/v1/documents/${r.body.id}`, admin)).body.deleted).toBe(true);
  }, 120_000);
});

describe('bad uploads: OpenAI-shaped 4xx naming the file, nothing stored changes', () => {
  let before: string;
  beforeAll(async () => {
    const keep = await upload(uploadForm({ bytes: HOURS, fileName: 'horaires.md', collection }));
    expect(keep.status).toBe(201);
    before = await snapshot(app.services.store, [collection, 'service-public']);
  });

  const cases: [string, () => Promise<{ bytes: Buffer | string; fileName: string }>, number, RegExp][] = [
    ['empty file', async () => ({ bytes: Buffer.alloc(0), fileName: 'vide.txt' }), 400, /vide/],
    [
      'lying extension',
      async () => ({ bytes: Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), fileName: 'arrete.pdf' }),
      415,
      /image GIF/,
    ],
    [
      'encrypted PDF',
      async () => ({ bytes: makeEncryptedPdf(), fileName: 'secret.pdf' }),
      422,
      /mot de passe/,
    ],
    [
      'corrupted PDF',
      async () => ({
        bytes: Buffer.concat([
          (await makePdf([[{ text: 'Bonjour' }]])).subarray(0, 20),
          Buffer.alloc(200, 0x41),
        ]),
        fileName: 'casse.pdf',
      }),
      422,
      /./,
    ],
    [
      'DOCX zip bomb',
      async () => ({
        bytes: makeZip([
          ...docxParts(),
          { name: 'word/media/bomb.bin', data: Buffer.alloc(5 * 1024 * 1024) },
        ]),
        fileName: 'bombe.docx',
      }),
      422,
      /compression anormal/,
    ],
    [
      'corrupted DOCX',
      async () => ({ bytes: (await makeDocx()).subarray(0, 3000), fileName: 'abime.docx' }),
      422,
      /endommag/,
    ],
    [
      'file over the configured limit',
      async () => ({ bytes: Buffer.alloc(LIMIT + 10, 'a'), fileName: 'enorme.txt' }),
      413,
      /taille maximale/,
    ],
  ];
  for (const [name, make, status, message] of cases) {
    it(name, async () => {
      const file = await make();
      const r = await upload(uploadForm({ ...file, collection }));
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expectOpenAiError(r.body);
      expect(r.body.error.message).toMatch(message);
      expect(r.body.error.message).toContain(file.fileName);
      expect(await snapshot(app.services.store, [collection, 'service-public'])).toBe(before);
    });
  }

  it('/v1/search shows the record whose bracket holds the number asked (a tariff CSV)', async () => {
    // Twelve brackets: the record asked is not among the best passages by words alone.
    const csv = [
      'tranche;quotient_familial;repas;garderie',
      ...Array.from({ length: 12 }, (_, i) => {
        const [lo, hi] = [i * 200 + (i ? 1 : 0), (i + 1) * 200];
        return `${String.fromCharCode(65 + i)};${lo} à ${hi};${(1 + i * 0.4).toFixed(2).replace('.', ',')};0,70`;
      }),
    ].join('\n');
    const r = await upload(
      uploadForm({ bytes: Buffer.from(csv), fileName: 'tarifs-cantine.csv', collection }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    try {
      const hits = await search('prix du repas pour un quotient familial de 950', admin, [collection]);
      const hit = hits.find((h) => h.external_id === 'tarifs-cantine.csv');
      expect(hit?.passages.map((p) => p.text).join('\n')).toMatch(/801 à 1000/);
    } finally {
      await call('DELETE', `/v1/documents/${r.body.id}`, admin);
    }
  });

  /**
   * An upload far over the limit on its own connection (the server answers 413 without reading
   * the rest, then closes it): with its Content-Length, or chunked (counted as it comes).
   */
  async function oversizedUpload(fileName: string, chunked: boolean) {
    const form = uploadForm({ bytes: Buffer.alloc(LIMIT * 3, 'a'), fileName, collection });
    const encoded = new Response(form);
    const payload = Buffer.from(await encoded.arrayBuffer());
    return new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request(
        `${app.url}/v1/documents`,
        {
          method: 'POST',
          agent: false,
          headers: {
            ...auth(admin),
            'content-type': encoded.headers.get('content-type')!,
            ...(chunked ? {} : { 'content-length': payload.length }),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on('error', (e) =>
        (e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET'
          ? undefined
          : reject(e),
      );
      if (!chunked) return req.end(payload);
      expect(req.getHeader('content-length')).toBeUndefined();
      for (let at = 0; at < payload.length; at += 64 * 1024) req.write(payload.subarray(at, at + 64 * 1024));
      req.end();
    });
  }

  for (const chunked of [false, true]) {
    it(
      chunked
        ? 'a chunked body (no Content-Length) over the limit is counted as it comes and refused'
        : 'a body far over the limit is cut off before it is read',
      async () => {
        const r = await oversizedUpload(chunked ? 'flux.txt' : 'geant.txt', chunked);
        expect(r.status).toBe(413);
        expectOpenAiError(r.body);
        expect(r.body.error.message).toMatch(/taille maximale/);
        expect(await snapshot(app.services.store, [collection])).toBe(before);
      },
    );
  }

  it('a chunked body under the limit is stored', async () => {
    const small = new Response(
      uploadForm({ bytes: Buffer.from('Horaires : 9 h.'), fileName: 'petit.txt', collection }),
    );
    const res = await fetch(`${app.url}/v1/documents`, {
      method: 'POST',
      headers: { ...auth(admin), 'content-type': small.headers.get('content-type')! },
      body: small.body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status, await res.clone().text()).toBe(201);
    await fetch(`${app.url}/v1/documents/${((await res.json()) as { id: string }).id}`, {
      method: 'DELETE',
      headers: auth(admin),
    });
  });

  it('unknown collection, missing fields, bad metadata, JSON instead of multipart', async () => {
    const unknown = await upload(
      uploadForm({ bytes: HOURS, fileName: 'h.md', collection: 'col_nulle_part' }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/Collection introuvable/);
    const noCollection = await upload(uploadForm({ bytes: HOURS, fileName: 'h.md' }));
    expect(noCollection.status).toBe(400);
    const badMeta = await upload(
      uploadForm({ bytes: HOURS, fileName: 'h.md', collection, metadata: '[1,2' }),
    );
    expect(badMeta.status).toBe(400);
    expect(badMeta.body.error.param).toBe('metadata');
    const json = await call('POST', '/v1/documents', admin, { collection });
    expect(json.status).toBe(415);
    expect(await snapshot(app.services.store, [collection])).toBe(before);
  });

  it('a multipart body cut short (no closing boundary) is a 400', async () => {
    const boundary = 'guichetboundary';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="collection"\r\n\r\n${collection}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="coupe.md"\r\n\r\n# Titre\n\nDébut du texte`;
    const res = await fetch(`${app.url}/v1/documents`, {
      method: 'POST',
      headers: { ...auth(admin), 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(res.status).toBe(400);
    expectOpenAiError(await res.json());
    expect(await snapshot(app.services.store, [collection])).toBe(before);
  });

  it('an upload interrupted midway (client gone) stores nothing and the server keeps serving', async () => {
    const { port } = new URL(app.url);
    const boundary = 'guichetboundary';
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="collection"\r\n\r\n${collection}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="interrompu.md"\r\n\r\n# Titre\n\n`;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin}\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 50000\r\n\r\n${head}${'texte '.repeat(500)}`,
          () => setTimeout(() => (socket.destroy(), resolve()), 200),
        );
      });
      socket.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await snapshot(app.services.store, [collection])).toBe(before);
    expect((await call('GET', `/v1/documents?collection=${collection}`, admin)).body.total).toBe(1);
  });
});
