/**
 * Hostile uploads (issue 18), on SQLite and PostgreSQL, through the real HTTP API: each file that
 * froze the whole server (nested HTML, a PDF listing one page 20,000 times, a large DOCX, deeply
 * nested JSON) now gets a 4xx or completes in bounded time, `/health` stays responsive meanwhile
 * (a concurrent probe; p99 ≤ 100 ms, plus the excess of the idle p99 on a loaded machine), a
 * refused file leaves nothing stored, and a client that goes away stops the parsing of its file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePool } from '../../src/usecases/ingest-document.js';
import { createTestKey, type RunningApp } from '../helpers/accounts.js';
import { snapshot, uploadForm } from '../documents/helpers.js';
import {
  engineMissing,
  healthBound,
  percentile,
  probe,
  prepareSend,
  startEngineApp,
  type Engine,
} from './app.js';
import { bigDocx, nestedHtml, nestedJson, repeatedPagePdf } from './fixtures.js';

const DOCX_MB = 16;
/** Fixtures built once for both engines. */
const files = {
  html5k: nestedHtml(5_000),
  html100k: nestedHtml(100_000),
  pdf: repeatedPagePdf(20_000),
  slowPdf: repeatedPagePdf(1_800),
  docx: bigDocx(DOCX_MB),
  json: nestedJson(5_000),
};

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  describe(`hostile uploads (${engine})`, () => {
    let app: RunningApp | null = null;
    let skip: string | null = null;
    const keys: Record<string, string> = {};
    const collections: Record<string, string> = {};

    beforeAll(async () => {
      skip = await engineMissing(engine);
      if (skip) {
        console.warn(`hostile uploads (${engine}) ignorés : ${skip}`);
        return;
      }
      app = await startEngineApp(engine, {
        documents: { max_upload_bytes: 60 * 1024 * 1024, parse_timeout_seconds: 30 },
      });
      // As `guichet serve` does at start: the workers are up before the first upload.
      await parsePool(app.services.config.documents).warm();
      for (const org of ['mairie-a', 'mairie-b']) {
        keys[org] = await createTestKey(app.services.store, { orgId: org, role: 'admin' });
        const res = await fetch(`${app.url}/v1/collections`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys[org]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Documents ${org}` }),
        });
        collections[org] = ((await res.json()) as { id: string }).id;
      }
    });
    afterAll(() => app?.close());

    async function upload(org: string, bytes: Buffer, fileName: string, signal?: AbortSignal) {
      const t = performance.now();
      const res = await fetch(`${app!.url}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[org]}` },
        body: uploadForm({ bytes, fileName, collection: collections[org] }),
        signal,
      });
      return { status: res.status, body: (await res.json()) as any, ms: performance.now() - t };
    }
    const stored = () => snapshot(app!.services.store, Object.values(collections));

    it('answers each reproduction with a 4xx or in bounded time while /health stays responsive', async (ctx) => {
      if (skip) return ctx.skip();
      const before = await stored();
      const job = (org: string, bytes: Buffer, fileName: string) => ({
        url: app!.url,
        key: keys[org],
        collection: collections[org],
        bytes,
        fileName,
      });
      // Sent from another process, as real clients would: the probe measures the server alone.
      const send = prepareSend([
        job('mairie-a', files.html5k, 'imbrique.html'),
        job('mairie-b', files.html100k, 'tres-imbrique.html'),
        job('mairie-a', files.pdf, 'pages.pdf'),
        job('mairie-b', files.docx, 'grand.docx'),
        job('mairie-a', files.json, 'imbrique.json'),
      ]);
      const bound = await healthBound(app!.url);
      // Every 5 ms: enough samples (several hundred) for a p99 that is not just the single worst one.
      const health = probe(`${app!.url}/health`, () => ({}), 5);
      const [html5k, html100k, pdf, docx, json] = await send.run().finally(send.dispose);
      const latencies = await health.stop();

      // Bounded completion: the text is there, in full.
      for (const r of [html5k, html100k]) {
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        expect(r.ms).toBeLessThan(30_000);
      }
      expect(docx.status, JSON.stringify(docx.body)).toBe(201);
      expect(docx.body.chunk_count).toBeGreaterThan(0);
      for (const r of [html5k, html100k, docx]) {
        const doc = await fetch(`${app!.url}/v1/documents/${r.body.id}`, {
          headers: { authorization: `Bearer ${keys[r === html5k ? 'mairie-a' : 'mairie-b']}` },
        }).then((x) => x.json() as Promise<any>);
        expect(doc.chunks.length).toBe(r.body.chunk_count);
        expect(doc.markdown).toMatch(
          r === docx ? /Paragraphe 15 : la mairie/ : /La mairie est ouverte le lundi/,
        );
      }
      // Refused with a clear French 4xx: the page limit counts every reference; JSON depth.
      expect(pdf.status).toBe(422);
      expect(pdf.body.error.message).toMatch(/20\s000 pages/u);
      expect(json.status).toBe(422);
      expect(json.body.error.message).toMatch(/imbrique plus de 64 niveaux/);

      console.log(
        `envois hostiles (${engine}) : /health p99 ${percentile(latencies, 99).toFixed(1)} ms sur ${latencies.length} mesures (au repos ${bound.idleP99.toFixed(1)} ms, borne ${bound.allowed.toFixed(0)} ms)`,
      );
      expect(latencies.length).toBeGreaterThan(10);
      expect(
        percentile(latencies, 99),
        `/health: ${latencies.length} mesures (p99 au repos ${bound.idleP99.toFixed(0)} ms)`,
      ).toBeLessThanOrEqual(bound.allowed);

      // Nothing half-stored: exactly the three accepted documents were added.
      const after = await stored();
      expect(after).not.toBe(before);
      const docs = await app!.services.store.documents.list(collections['mairie-a'], {
        limit: 100,
        offset: 0,
      });
      expect(docs.map((d) => d.externalId)).toEqual(['imbrique.html']);
    });

    it('a refused file stores nothing; a file over the time limit is refused, not left running', async (ctx) => {
      if (skip) return ctx.skip();
      const before = await stored();
      const r = await upload('mairie-a', files.json, 'encore.json');
      expect(r.status).toBe(422);
      expect(await stored()).toBe(before);
    });

    it('a client that goes away stops the parsing of its file (worker terminated, nothing stored)', async (ctx) => {
      if (skip) return ctx.skip();
      const pool = parsePool(app!.services.config.documents);
      const before = await stored();
      const controller = new AbortController();
      const pending = upload('mairie-b', files.slowPdf, 'lent.pdf', controller.signal).catch((e) => e);
      const started = performance.now();
      while (pool.load.running === 0 && performance.now() - started < 10_000) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(pool.load.running).toBe(1);
      controller.abort();
      expect(await pending).toBeInstanceOf(Error);
      const aborted = performance.now();
      while (pool.load.running > 0 && performance.now() - aborted < 5_000) {
        await new Promise((r) => setTimeout(r, 5));
      }
      // The PDF takes ~2 s to read; the worker is stopped well before.
      expect(performance.now() - aborted).toBeLessThan(600);
      expect(pool.load.running).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(await stored()).toBe(before);
    });

    it('deleting a document while its new version is parsed stops the parsing; it does not come back', async (ctx) => {
      if (skip) return ctx.skip();
      const pool = parsePool(app!.services.config.documents);
      const v1 = await upload('mairie-a', repeatedPagePdf(3), 'version.pdf');
      expect(v1.status).toBe(201);
      const pending = upload('mairie-a', files.slowPdf, 'version.pdf');
      const started = performance.now();
      while (pool.load.running === 0 && performance.now() - started < 10_000) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const del = await fetch(`${app!.url}/v1/documents/${v1.body.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${keys['mairie-a']}` },
      });
      expect(del.status).toBe(200);
      const v2 = await pending;
      expect(v2.status).toBe(400);
      expect(v2.body.error.message).toMatch(/interrompu/);
      const docs = await app!.services.store.documents.list(collections['mairie-a'], {
        limit: 100,
        offset: 0,
      });
      expect(docs.map((d) => d.externalId)).not.toContain('version.pdf');
      expect(pool.load.running).toBe(0);
    });
  });
}
