import { detectPersonalData } from './detect.js';
import { PII_TYPES, type PiiType } from './recognizers/types.js';

/**
 * The scoring rule of eval/pii-score.py, in TypeScript, so that tests and benches score the
 * detector with the project's own code: a prediction is correct when it has the same type as a
 * gold span and their overlap is at least 50 % of both (overlap / max(lengths) ≥ 0.5); matching is
 * one-to-one, greedy by decreasing overlap ratio. Offsets are code points, as in the files.
 */

export interface GoldSpan {
  start: number;
  end: number;
  type: string;
  value?: string;
}

export interface GoldRecord {
  id: string;
  text: string;
  spans: GoldSpan[];
  decoys?: { start: number; end: number; kind: string }[];
}

export interface Prf {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface PiiScore {
  perType: Record<PiiType, Prf>;
  micro: Prf;
  /** Predictions overlapping a decoy (hard negative). */
  decoyHits: number;
  /** Gold spans missed and predictions not matched, for error reports. */
  errors: { id: string; kind: 'FP' | 'FN'; type: string; value: string }[];
}

function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, precision, recall, f1 };
}

const overlap = (a: GoldSpan, b: GoldSpan) =>
  Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));

/** Greedy one-to-one matching of one text's spans; returns the number of matched pairs per type. */
function matchText(golds: GoldSpan[], preds: GoldSpan[]): { gold: Set<number>; pred: Set<number> } {
  const cands: [number, number, number][] = [];
  golds.forEach((g, i) =>
    preds.forEach((p, j) => {
      if (g.type !== p.type) return;
      const ov = overlap(g, p);
      const r = ov / Math.max(g.end - g.start, p.end - p.start);
      if (ov > 0 && r >= 0.5) cands.push([r, i, j]);
    }),
  );
  cands.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  const gold = new Set<number>();
  const pred = new Set<number>();
  for (const [, i, j] of cands) {
    if (gold.has(i) || pred.has(j)) continue;
    gold.add(i);
    pred.add(j);
  }
  return { gold, pred };
}

/** Scores predictions (by default, this detector's) against gold records. */
export function scorePii(
  records: GoldRecord[],
  predict: (text: string) => GoldSpan[] = (text) => detectPersonalData(text),
): PiiScore {
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let decoyHits = 0;
  const errors: PiiScore['errors'] = [];
  for (const rec of records) {
    const preds = predict(rec.text);
    const { gold, pred } = matchText(rec.spans, preds);
    const chars = [...rec.text];
    const value = (s: GoldSpan) => chars.slice(s.start, s.end).join('');
    rec.spans.forEach((g, i) => {
      if (gold.has(i)) add(tp, g.type);
      else {
        add(fn, g.type);
        errors.push({ id: rec.id, kind: 'FN', type: g.type, value: value(g) });
      }
    });
    preds.forEach((p, j) => {
      if (pred.has(j)) return;
      add(fp, p.type);
      errors.push({ id: rec.id, kind: 'FP', type: p.type, value: value(p) });
    });
    for (const p of preds)
      if ((rec.decoys ?? []).some((d) => overlap({ ...d, type: '' }, p) > 0)) decoyHits++;
  }
  const perType = {} as Record<PiiType, Prf>;
  let T = 0;
  let P = 0;
  let N = 0;
  for (const t of PII_TYPES) {
    perType[t] = prf(tp.get(t) ?? 0, fp.get(t) ?? 0, fn.get(t) ?? 0);
    T += perType[t].tp;
    P += perType[t].fp;
    N += perType[t].fn;
  }
  return { perType, micro: prf(T, P, N), decoyHits, errors };
}

/** Reads a JSONL gold file's text (one record per non-empty line). */
export function parseGold(jsonl: string): GoldRecord[] {
  return jsonl
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as GoldRecord);
}
