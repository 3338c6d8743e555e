/**
 * Fits the "no source" model (src/answer/abstention-model.ts) on the labelled dev questions and
 * reports its CROSS-VALIDATED figures.
 *
 *   GUICHET_DATA_DIR=<data dir with the built-in corpus ingested> npx tsx scripts/fit-abstention.ts [--write]
 *
 * Every question of eval/rag-dev.jsonl and eval/rag-dev2.jsonl is searched as the answer pipeline
 * does (lexical, k = 5), its signals measured (src/answer/abstention.ts), label = `unanswerable`.
 * Questions naming a year after the corpus are left out: a fixed rule answers them
 * (src/answer/temporal.ts). A logistic regression (standardised signals, L2 penalty, classes
 * weighted to balance) is fitted; stratified 5-fold cross-validation repeated 20 times with
 * shuffles gives out-of-fold figures, with the threshold chosen INSIDE each training fold (the
 * lowest probability at which the fold's own false refusals stay ≤ 4 %, read on out-of-fold
 * predictions of an inner split). `--write` writes the model fitted on every question, with the
 * threshold chosen the same way on the outer out-of-fold predictions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  abstentionSignals,
  SIGNAL_NAMES,
  unanswerableProbability,
  type LogisticModel,
} from '../src/answer/abstention.js';
import { yearAfterCorpus } from '../src/answer/temporal.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { searchWithLocal } from '../src/usecases/search-with-local.js';

const FILES = ['rag-dev.jsonl', 'rag-dev2.jsonl'].map((f) =>
  fileURLToPath(new URL(`../eval/${f}`, import.meta.url)),
);
const OUT = fileURLToPath(new URL('../src/answer/abstention-model.ts', import.meta.url));
/**
 * False-refusal rate the threshold is chosen for on the training questions. 4 %, not 5 %: a
 * threshold chosen at 5 % gave 5.4 % on the held-out folds; at 4 % they stay under 5 %.
 */
const MAX_FALSE_REFUSALS = Number(process.env.MAX_FR ?? 0.04);
const L2 = Number(process.env.L2 ?? 1);
const FOLDS = 5;
const REPEATS = 20;
/**
 * The signals the model uses (FEATURES=a,b,c to try others). This subset had the best
 * cross-validated figures of the few tried (docs/adr/0002): the coverage, score-margin and
 * unknown-term variants left out are collinear with these and only added variance.
 */
const DEFAULT_FEATURES = [
  'rare_coverage',
  'top_score',
  'length',
  'unknown_names',
  'realtime',
  'here',
  'local_office',
  'own_file',
  'opinion',
] as const satisfies readonly (typeof SIGNAL_NAMES)[number][];
const FEATURES: readonly string[] = process.env.FEATURES ? process.env.FEATURES.split(',') : DEFAULT_FEATURES;

interface Row {
  id: string;
  question: string;
  y: 0 | 1;
  x: number[];
}

/** A seeded PRNG (mulberry32): the same figures on every run. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fit(rows: Row[]): LogisticModel {
  const d = FEATURES.length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r.x[j], 0) / rows.length);
  const scale = Array.from({ length: d }, (_, j) => {
    const v = rows.reduce((s, r) => s + (r.x[j] - mean[j]) ** 2, 0) / rows.length;
    return Math.sqrt(v) || 1;
  });
  const z = rows.map((r) => r.x.map((v, j) => (v - mean[j]) / scale[j]));
  const pos = rows.filter((r) => r.y === 1).length;
  const wPos = rows.length / (2 * Math.max(1, pos));
  const wNeg = rows.length / (2 * Math.max(1, rows.length - pos));
  const w = new Array<number>(d).fill(0);
  let b = 0;
  // Newton's method on the penalised, class-weighted log-loss (converges in a few steps).
  for (let iter = 0; iter < 50; iter++) {
    const g = new Array<number>(d + 1).fill(0);
    const h = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    rows.forEach((r, i) => {
      const zi = [...z[i], 1];
      const p = 1 / (1 + Math.exp(-(zi.slice(0, d).reduce((s, v, j) => s + v * w[j], 0) + b)));
      const c = r.y === 1 ? wPos : wNeg;
      for (let a = 0; a <= d; a++) {
        g[a] += c * (p - r.y) * zi[a];
        for (let e = 0; e <= d; e++) h[a][e] += c * p * (1 - p) * zi[a] * zi[e];
      }
    });
    for (let a = 0; a < d; a++) {
      g[a] += L2 * w[a];
      h[a][a] += L2;
    }
    h[d][d] += 1e-6;
    const raw = solve(h, g);
    // Damped: a step longer than 1 (in standardised units) is shortened.
    const norm = Math.max(1, Math.max(...raw.map(Math.abs)));
    const step = raw.map((v) => v / norm);
    for (let a = 0; a < d; a++) w[a] -= step[a];
    b -= step[d];
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return { features: [...FEATURES], mean, scale, weights: w, bias: b, threshold: 0.5 };
}

/** Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

const prob = (m: LogisticModel, r: Row) =>
  unanswerableProbability(m, Object.fromEntries(FEATURES.map((f, j) => [f, r.x[j]])) as never);

/** The lowest threshold whose false refusals (answerable rows at or above it) stay ≤ the target. */
function chooseThreshold(scored: { p: number; y: 0 | 1 }[]): number {
  const negatives = scored
    .filter((s) => s.y === 0)
    .map((s) => s.p)
    .sort((a, b) => b - a);
  const allowed = Math.floor(MAX_FALSE_REFUSALS * negatives.length);
  // Refusing at p ≥ t refuses every negative with p ≥ t: t just above the (allowed+1)-th highest.
  const t = negatives[allowed] ?? 0;
  return Math.min(0.999, t + 1e-6);
}

function folds(rows: Row[], k: number, random: () => number): number[] {
  const fold = new Array<number>(rows.length);
  for (const y of [0, 1]) {
    const idx = rows.map((r, i) => (r.y === y ? i : -1)).filter((i) => i >= 0);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx.forEach((i, n) => (fold[i] = n % k));
  }
  return fold;
}

/** Out-of-fold probabilities of one k-fold split. */
function outOfFold(rows: Row[], k: number, random: () => number): number[] {
  const f = folds(rows, k, random);
  const p = new Array<number>(rows.length);
  for (let i = 0; i < k; i++) {
    const model = fit(rows.filter((_, n) => f[n] !== i));
    rows.forEach((r, n) => {
      if (f[n] === i) p[n] = prob(model, r);
    });
  }
  return p;
}

async function main() {
  const dir = process.env.GUICHET_DATA_DIR;
  if (!dir) throw new Error('GUICHET_DATA_DIR must name a data dir with the built-in corpus ingested');
  const store = openSqliteStore(dir);
  const corpusDate = await store.meta.get('service_public.latest_date');
  const rows: Row[] = [];
  const byRule: string[] = [];
  for (const file of FILES) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const q = JSON.parse(line) as { id: string; question: string; unanswerable?: boolean };
      if (yearAfterCorpus(q.question, corpusDate) !== null) {
        byRule.push(`${q.id}${q.unanswerable ? '' : ' (ANSWERABLE)'}`);
        continue;
      }
      const hits = await searchWithLocal({
        store,
        query: q.question,
        k: 5,
        collectionIds: ['service-public'],
      });
      const s = await abstentionSignals(store, q.question, hits);
      rows.push({
        id: q.id,
        question: q.question,
        y: q.unanswerable ? 1 : 0,
        x: FEATURES.map((f) => s[f as keyof typeof s]),
      });
    }
  }
  await store.close();
  const pos = rows.filter((r) => r.y === 1).length;
  console.log(
    `questions: ${rows.length} (${pos} unanswerable); answered by the year rule: ${byRule.join(', ')}`,
  );

  // Nested: outer folds measure; each training fold picks its threshold on its own inner out-of-fold predictions.
  const random = rng(13);
  let refused = 0;
  let falseRefusals = 0;
  const oof = new Array<number>(rows.length).fill(0);
  const refusedCount = new Array<number>(rows.length).fill(0);
  for (let rep = 0; rep < REPEATS; rep++) {
    const f = folds(rows, FOLDS, random);
    for (let i = 0; i < FOLDS; i++) {
      const train = rows.filter((_, n) => f[n] !== i);
      const inner = outOfFold(train, FOLDS, random);
      const t = chooseThreshold(train.map((r, n) => ({ p: inner[n], y: r.y })));
      const model = fit(train);
      rows.forEach((r, n) => {
        if (f[n] !== i) return;
        const p = prob(model, r);
        oof[n] += p / REPEATS;
        if (p >= t) {
          refusedCount[n]++;
          if (r.y === 1) refused++;
          else falseRefusals++;
        }
      });
    }
  }
  const neg = rows.length - pos;
  console.log(
    `cross-validated (${FOLDS}-fold × ${REPEATS}, threshold chosen within each training fold): ` +
      `unanswerable refused ${(refused / (pos * REPEATS)).toFixed(3)} (${(refused / REPEATS).toFixed(1)}/${pos}), ` +
      `false refusals ${(falseRefusals / (neg * REPEATS)).toFixed(3)} (${(falseRefusals / REPEATS).toFixed(1)}/${neg})`,
  );
  const final = fit(rows);
  final.threshold = chooseThreshold(rows.map((r, n) => ({ p: oof[n], y: r.y })));
  const trainRefused = rows.filter((r) => r.y === 1 && prob(final, r) >= final.threshold).length;
  const trainFalse = rows.filter((r) => r.y === 0 && prob(final, r) >= final.threshold).length;
  console.log(
    `final threshold ${final.threshold.toFixed(3)}; on the training questions: refused ${trainRefused}/${pos}, false refusals ${trainFalse}/${neg} (not a measure)`,
  );
  console.log('weights (standardised signals):');
  FEATURES.forEach((f, j) => console.log(`  ${f.padEnd(16)} ${final.weights[j].toFixed(3)}`));
  console.log('out-of-fold misjudged (share of repeats refused):');
  rows.forEach((r, n) => {
    const share = refusedCount[n] / REPEATS;
    if ((r.y === 1 && share < 0.5) || (r.y === 0 && share >= 0.5))
      console.log(`  ${r.y ? 'kept   ' : 'refused'} ${share.toFixed(2)} ${r.id} ${r.question.slice(0, 90)}`);
  });
  if (process.argv.includes('--dump')) {
    for (const r of rows.filter((r) => r.y === 1))
      console.log(r.id, FEATURES.map((f, j) => `${f}=${r.x[j].toFixed(2)}`).join(' '));
  }
  if (process.argv.includes('--write')) {
    const round = (x: number) => Math.round(x * 1e6) / 1e6;
    const model = {
      features: final.features,
      mean: final.mean.map(round),
      scale: final.scale.map(round),
      weights: final.weights.map(round),
      bias: round(final.bias),
      threshold: round(final.threshold),
    };
    writeFileSync(
      OUT,
      `import type { LogisticModel } from './abstention.js';\n\n` +
        `/**\n * Written by scripts/fit-abstention.ts on eval/rag-dev.jsonl + eval/rag-dev2.jsonl (${rows.length} questions, ${pos} unanswerable).\n` +
        ` * Cross-validated: unanswerable refused ${(refused / (pos * REPEATS)).toFixed(3)}, false refusals ${(falseRefusals / (neg * REPEATS)).toFixed(3)}.\n */\n` +
        `export const ABSTENTION_MODEL: LogisticModel = ${JSON.stringify(model, null, 2)};\n`,
    );
    console.log(`written: ${OUT}`);
  }
}

await main();
