/**
 * OCR throughput: pages of the commune's procedure text printed by Chromium (an A4-like page at
 * ~100 dpi, as a JPEG "scan"), read by the OCR pool (cores − 1 workers) — pages per minute and the
 * character error rate against the source text. Needs /usr/bin/chromium; CPU-bound and noisy on a
 * shared machine.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OCR_LIMITS, recognisePages } from '../src/knowledge/sources/files/ocr.js';
import { cer, renderTextImage } from '../test/fixtures/files/scan.js';
import { machine, writeSection } from './report.js';

const SOURCE = fileURLToPath(
  new URL('../eval/local/dev/saint-aubin-des-landes-vertes/procedure_domiciliation.txt', import.meta.url),
);
const PAGES = 4;

export async function benchOcr(): Promise<void> {
  const lines = readFileSync(SOURCE, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 22);
  const page = await renderTextImage(lines, 'jpeg', 1000);
  if (!page) {
    console.warn('[bench ocr] /usr/bin/chromium absent : mesure OCR ignorée');
    return;
  }
  const started = performance.now();
  const result = await recognisePages(Array.from({ length: PAGES }, () => page));
  const seconds = (performance.now() - started) / 1000;
  const perMinute = (result.pages.length / seconds) * 60;
  const rate = cer(lines.join(' '), result.pages[0]?.text ?? '');
  writeSection(
    'Reconnaissance de caractères (OCR)',
    `Machine : ${machine()}. ${PAGES} pages de texte (procédure de domiciliation, ~${lines.join(' ').length} caractères par page, rendues par Chromium en JPEG) lues par tesseract.js (français, modèle LSTM local), ${OCR_LIMITS.workers} worker(s) (cœurs − 1), démarrage des workers compris.

| Mesure | Valeur |
|---|---|
| Débit | ${perMinute.toFixed(1)} pages/min |
| Durée totale | ${seconds.toFixed(1)} s |
| Taux d'erreur caractères (page 1) | ${(rate * 100).toFixed(2)} % |

Machine partagée : chiffres bruités.`,
  );
  console.log(`OCR : ${perMinute.toFixed(1)} pages/min, CER ${(rate * 100).toFixed(2)} %`);
}
