/**
 * Builds src/privacy/lexicon/french-words.txt: the ordinary French words of an indexed Guichet
 * corpus (service-public + fiches travail), folded, that occur at least MIN_COUNT times written in
 * lower case. The person recognizer uses it as one signal among others: a word that French
 * administrative prose writes in lower case is rarely a person's name.
 *
 * Usage: npx tsx scripts/build-french-words.ts <guichet.sqlite> [output]
 * (for instance the test corpus: .tmp/test-corpus/guichet.sqlite).
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { fold } from '../src/privacy/lexicon/fold.js';

const MIN_COUNT = 3;
const [dbPath, output = 'src/privacy/lexicon/french-words.txt'] = process.argv.slice(2);
if (!dbPath) {
  console.error('Usage : npx tsx scripts/build-french-words.ts <guichet.sqlite> [sortie]');
  process.exit(1);
}
const db = new Database(dbPath, { readonly: true });
const counts = new Map<string, number>();
const WORD = /(?<![\p{L}\p{M}'’-])\p{Ll}[\p{Ll}\p{M}]+(?:-\p{Ll}[\p{Ll}\p{M}]*)*/gu;
for (const row of db.prepare('SELECT text FROM chunks').iterate() as Iterable<{ text: string }>) {
  for (const m of row.text.matchAll(WORD)) {
    const w = fold(m[0]);
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
}
const words = [...counts].filter(([, n]) => n >= MIN_COUNT).map(([w]) => w);
words.sort();
writeFileSync(
  output,
  `# Ordinary French words (folded), from the service-public and travail-emploi corpus; built by scripts/build-french-words.ts\n${words.join('\n')}\n`,
);
console.log(`${words.length} mots écrits dans ${output}`);
