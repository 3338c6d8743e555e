import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { detectPersonalData } from '../src/privacy/index.js';
import { fmt, median, percentile } from './stats.js';
import { machine, writeSection } from './report.js';

const PII_DEV = fileURLToPath(new URL('../eval/pii-dev.jsonl', import.meta.url));

/** Detection time of ~2,000-character texts built from the dev texts. */
export function benchPrivacy(): void {
  const texts = readFileSync(PII_DEV, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const padded = texts.map((t, i) => {
    let s = t;
    for (let j = 1; s.length < 2000; j++) s += `\n${texts[(i + j) % texts.length]}`;
    return s.slice(0, 2000);
  });
  for (const t of padded.slice(0, 50)) detectPersonalData(t); // warm-up
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const t of padded) {
      const s = performance.now();
      detectPersonalData(t);
      times.push(performance.now() - s);
    }
  }
  writeSection(
    'Détection des données personnelles',
    `Machine : ${machine()}

${times.length} détections de textes de 2 000 caractères (textes de \`pii-dev.jsonl\` mis bout à bout) :

| médiane | p95 | objectif |
|---|---|---|
| ${fmt(median(times), 3)} ms | ${fmt(percentile(times, 95), 3)} ms | médiane ≤ 2 ms |

Commande : \`npm run bench -- privacy\`.`,
  );
  console.log(`privacy: median ${fmt(median(times), 3)} ms`);
}
