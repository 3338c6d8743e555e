/**
 * The commune's local questions when the hours and the canteen tariffs exist only as scans: both
 * files printed by Chromium (Markdown rendered by marked, the CSV as a table), wrapped as one-page
 * image PDFs with pdf-lib, ingested (OCR) beside the other files; recall@5 must stay ≥ 0.90, and
 * their citations say « texte reconnu automatiquement (OCR) » (`ocr: true`).
 * CPU-heavy (two OCR'd pages): one test. Needs /usr/bin/chromium (skipped with a reason otherwise,
 * unless CI is set).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marked } from 'marked';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { ingestDocument } from '../../src/usecases/ingest-document.js';
import { createCollection } from '../../src/usecases/manage-collections.js';
import { evaluateRetrieval } from '../../src/usecases/evaluate-retrieval.js';
import { searchKnowledge } from '../../src/usecases/search-knowledge.js';
import { toCitations, toSources } from '../../src/answer/sources.js';
import { CHROMIUM, renderHtmlImage } from '../fixtures/files/scan.js';
import { COMMUNE, LOCAL_QUESTIONS } from './helpers.js';

const SCANNED = ['horaires_mairie_et_annexes.md', 'tarifs_restauration_periscolaire_2025-2026.csv'];
const pdfName = (f: string) => f.replace(/\.[a-z]+$/, '.pdf');
const run = existsSync(CHROMIUM) || process.env.CI === 'true';
if (!run) console.warn(`[ocr-eval] skipped: ${CHROMIUM} is absent and CI is not set`);

async function scanPdf(html: string): Promise<Buffer> {
  const jpeg = await renderHtmlImage(html);
  if (!jpeg) throw new Error(`${CHROMIUM} absent`);
  const pdf = await PDFDocument.create();
  const image = await pdf.embedJpg(jpeg);
  pdf
    .addPage([image.width, image.height])
    .drawImage(image, { x: 0, y: 0, width: image.width, height: image.height });
  return Buffer.from(await pdf.save());
}

function csvToHtml(csv: string): string {
  const [head, ...rows] = csv
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(';'));
  const cells = (r: string[], tag: string) => r.map((c) => `<${tag}>${c}</${tag}>`).join('');
  return `<table><tr>${cells(head, 'th')}</tr>${rows.map((r) => `<tr>${cells(r, 'td')}</tr>`).join('')}</table>`;
}

const dir = mkdtempSync(join(tmpdir(), 'guichet-ocr-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(run)('local questions with the hours and tariffs given only as scans', () => {
  it('keeps recall@5 ≥ 0.90', async () => {
    const store = openSqliteStore(dir);
    try {
      const collection = (await createCollection({ store, orgId: 'default', name: 'Mairie' })).id;
      const add = (fileName: string, bytes: Buffer) =>
        ingestDocument({
          store,
          orgId: 'default',
          collectionId: collection,
          fileName,
          bytes,
          maxBytes: 50e6,
          chunkTokens: 400,
        });
      for (const f of readdirSync(COMMUNE).sort()) {
        if (!SCANNED.includes(f)) await add(f, readFileSync(join(COMMUNE, f)));
      }
      const hours = readFileSync(join(COMMUNE, SCANNED[0]), 'utf8');
      const tariffs = readFileSync(join(COMMUNE, SCANNED[1]), 'utf8');
      const scans = [await scanPdf(await marked.parse(hours)), await scanPdf(csvToHtml(tariffs))];
      for (const [i, f] of SCANNED.entries()) {
        const r = await add(pdfName(f), scans[i]);
        expect(r.document.metadata).toMatchObject({ format: 'pdf', ocr: { language: 'fra' } });
      }
      // The same questions, expecting the scans (PDF) instead of the original files.
      const questions = readFileSync(LOCAL_QUESTIONS, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const q = JSON.parse(l) as { expected_doc: string; also_acceptable_docs?: string[] };
          const swap = (d: string) => (SCANNED.includes(d) ? pdfName(d) : d);
          return JSON.stringify({
            ...q,
            expected_doc: swap(q.expected_doc),
            also_acceptable_docs: (q.also_acceptable_docs ?? []).map(swap),
          });
        });
      const file = join(dir, 'questions.jsonl');
      writeFileSync(file, questions.join('\n') + '\n');
      const report = await evaluateRetrieval({ store, file, k: 5, collectionIds: [collection] });
      console.info(
        `[ocr-eval] recall@5 = ${report.recall_at_k.toFixed(3)} over ${report.n} questions; misses: ${report.misses.map((m) => m.id).join(', ') || 'none'}`,
      );
      expect(report.recall_at_k).toBeGreaterThanOrEqual(0.9);

      // Citations of a scan say it was read by OCR; those of the typed files do not.
      const hits = await searchKnowledge({
        store,
        query: 'horaires d’ouverture de la mairie et tarifs de la cantine',
        collectionIds: [collection],
        k: 10,
      });
      const isScan = (id: string) => SCANNED.map(pdfName).includes(id);
      expect(hits.some((h) => isScan(h.externalId))).toBe(true);
      expect(hits.some((h) => !isScan(h.externalId))).toBe(true);
      const citations = toCitations(toSources(hits, new Map(), new Set()), '');
      expect(citations.map((c) => c.ocr)).toEqual(hits.map((h) => isScan(h.externalId)));
    } finally {
      await store.close();
    }
  }, 240_000);
});
