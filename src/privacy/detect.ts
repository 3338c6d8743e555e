import { RECOGNIZERS } from './recognizers/index.js';
import type { Candidate, PiiSpan, PiiType, ScanContext } from './recognizers/types.js';

export type { PiiSpan, PiiType } from './recognizers/types.js';
export { PII_TYPES } from './recognizers/types.js';

export interface DetectOptions {
  /** Only these types (default: all). */
  types?: PiiType[];
  /** Time budget for one text in ms (default: 200 ms + 2 ms per 1,000 characters). */
  timeBudgetMs?: number;
}

export interface ScanResult {
  /** UTF-16 offsets (JavaScript string indices). */
  spans: Candidate[];
  /** True when the time budget ran out and some recognizers stopped early. */
  truncated: boolean;
}

/**
 * Keeps non-overlapping candidates: by recognizer priority, then longer first, then leftmost.
 * An occupancy map keeps this linear in the covered length, whatever the number of candidates.
 */
function resolve(text: string, candidates: { c: Candidate; rank: number }[]): Candidate[] {
  candidates.sort(
    (a, b) => a.rank - b.rank || b.c.end - b.c.start - (a.c.end - a.c.start) || a.c.start - b.c.start,
  );
  const taken = new Uint8Array(text.length);
  const kept: Candidate[] = [];
  for (const { c } of candidates) {
    let free = true;
    for (let k = c.start; k < c.end && free; k++) free = taken[k] === 0;
    if (!free) continue;
    taken.fill(1, c.start, c.end);
    kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Detection on JavaScript string indices (what the pseudonymiser needs). */
export function scanPersonalData(text: string, options: DetectOptions = {}): ScanResult {
  if (typeof text !== 'string' || text.length === 0) return { spans: [], truncated: false };
  const budget = options.timeBudgetMs ?? 200 + (2 * text.length) / 1000;
  const deadline = performance.now() + budget;
  let truncated = false;
  const ctx: ScanContext = {
    text,
    expired: () => (truncated ||= performance.now() > deadline),
  };
  const wanted = options.types ? new Set(options.types) : null;
  const all: { c: Candidate; rank: number }[] = [];
  RECOGNIZERS.forEach((r, rank) => {
    if (wanted && !wanted.has(r.type)) return;
    for (const c of r.find(ctx)) all.push({ c, rank });
  });
  return { spans: resolve(text, all), truncated };
}

// V8 compiles a regular expression on its first run (tens of ms for the address and name
// patterns): pay that once at import, not inside the first text's time budget.
scanPersonalData('Né le 1er mars 1985, M. Jean Dupont, 12 rue de la Paix, 75002 Paris, CAF 1234567.', {
  timeBudgetMs: 10_000,
});

/** Converts UTF-16 offsets to code-point offsets (identity when the text has no astral characters). */
function toCodePoints(text: string, spans: Candidate[]): { start: number; end: number; type: PiiType }[] {
  if (!/[\uD800-\uDBFF]/.test(text)) return spans;
  const at = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    at[i] = cp;
    const c = text.charCodeAt(i);
    if (!(c >= 0xd800 && c <= 0xdbff && i + 1 < text.length)) cp++;
  }
  at[text.length] = cp;
  return spans.map((s) => ({ start: at[s.start], end: at[s.end], type: s.type }));
}

/**
 * French personal data in `text`: sorted, non-overlapping spans with offsets in Unicode code
 * points (end exclusive). Never throws on bad input (a non-string gives no span).
 */
export function detectPersonalData(
  text: string,
  options: { types?: PiiType[] } & DetectOptions = {},
): PiiSpan[] {
  const { spans } = scanPersonalData(text, options);
  const cps = toCodePoints(text, spans);
  return cps.map((s, k) => ({ ...s, value: text.slice(spans[k].start, spans[k].end) }));
}
