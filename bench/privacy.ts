import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { detectPersonalData } from '../src/privacy/index.js';
import { parseGold, scorePii, type PiiScore } from '../src/privacy/pii-score.js';
import { fmt, median, percentile } from './stats.js';
import { machine, writeSection } from './report.js';

const SETS = ['pii-dev.jsonl', 'pii-dev-hard.jsonl'].map((name) => ({
  name,
  path: fileURLToPath(new URL(`../eval/${name}`, import.meta.url)),
}));

/** ~2,000-character texts built by putting a set's texts end to end. */
function padded(texts: string[]): string[] {
  return texts.map((t, i) => {
    let s = t;
    for (let j = 1; s.length < 2000; j++) s += `\n${texts[(i + j) % texts.length]}`;
    return s.slice(0, 2000);
  });
}

function timeDetection(texts: string[]): number[] {
  for (const t of texts.slice(0, 50)) detectPersonalData(t); // warm-up
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const t of texts) {
      const s = performance.now();
      detectPersonalData(t);
      times.push(performance.now() - s);
    }
  }
  return times;
}

const f1 = (s: PiiScore, t: 'PERSON' | 'ADDRESS' | 'DATE_OF_BIRTH') => fmt(s.perType[t].f1, 3);

/** Detection time of ~2,000-character texts, and quality on both public dev sets (reference scoring rule). */
export function benchPrivacy(): void {
  const rows: string[] = [];
  const quality: string[] = [];
  const all: number[] = [];
  for (const set of SETS) {
    const records = parseGold(readFileSync(set.path, 'utf8'));
    const times = timeDetection(padded(records.map((r) => r.text)));
    all.push(...times);
    rows.push(`| \`${set.name}\` | ${fmt(median(times), 3)} ms | ${fmt(percentile(times, 95), 3)} ms |`);
    const s = scorePii(records);
    quality.push(
      `| \`${set.name}\` | ${fmt(s.micro.precision, 3)} | ${fmt(s.micro.recall, 3)} | ${fmt(s.micro.f1, 3)} | ${f1(s, 'PERSON')} | ${f1(s, 'ADDRESS')} | ${f1(s, 'DATE_OF_BIRTH')} | ${s.decoyHits} |`,
    );
  }
  writeSection(
    'Détection des données personnelles',
    `Machine : ${machine()}

${all.length} détections de textes de 2 000 caractères (textes de chaque jeu mis bout à bout, 5 passes) :

| jeu | médiane | p95 |
|---|---|---|
${rows.join('\n')}
| **ensemble** | **${fmt(median(all), 3)} ms** | ${fmt(percentile(all, 95), 3)} ms |

Objectif : médiane ≤ 2 ms par 2 000 caractères.

Qualité (règle de \`eval/pii-score.py\` : même type, recouvrement ≥ 50 % des deux spans) :

| jeu | précision | rappel | F1 micro | F1 PERSON | F1 ADDRESS | F1 DATE_OF_BIRTH | leurres touchés |
|---|---|---|---|---|---|---|---|
${quality.join('\n')}

Commande : \`npm run bench -- privacy\`.`,
  );
  console.log(`privacy: median ${fmt(median(all), 3)} ms`);
}
