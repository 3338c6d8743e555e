import type { Candidate, PiiType, ScanContext } from './types.js';

/** One separator allowed between digit groups: space, dot, dash, NBSP, narrow NBSP. */
export const SEP = '[ .\\-\\u00A0\\u202F]';

/**
 * A number must be the whole digit run: no digit or letter glued before/after, and no other digit
 * group one separator away (so the SIREN inside a SIRET, or 13 digits of a NIR, are not matched).
 */
export const NUM_BEFORE = `(?<![0-9A-Za-z])(?<![0-9]${SEP})`;
export const NUM_AFTER = `(?![0-9A-Za-z])(?!${SEP}[0-9])`;

const AMOUNT_AFTER = /^\s?(?:€|euros?\b|EUR\b)/i;

/** Runs a global regex over the text, stopping when the scan's time budget is spent. */
export function* matches(ctx: ScanContext, re: RegExp): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  let n = 0;
  for (let m = re.exec(ctx.text); m !== null; m = re.exec(ctx.text)) {
    if (m[0].length === 0) re.lastIndex++;
    if (++n % 32 === 0 && ctx.expired()) return;
    yield m;
  }
}

/** True when the number at [start, end) is a money amount ("1 234 567 €"). */
export function isAmount(text: string, end: number): boolean {
  return AMOUNT_AFTER.test(text.slice(end, end + 8));
}

/** Candidates for a digit pattern whose compact form passes `valid`. */
export function findValidated(
  ctx: ScanContext,
  re: RegExp,
  type: PiiType,
  valid: (compactValue: string) => boolean,
): Candidate[] {
  const out: Candidate[] = [];
  for (const m of matches(ctx, re)) {
    const end = m.index + m[0].length;
    if (isAmount(ctx.text, end)) continue;
    if (valid(m[0].replace(/[^0-9A-Za-z]/g, '').toUpperCase())) out.push({ start: m.index, end, type });
  }
  return out;
}

/** Is there a cue (regex, tested on the window) within `distance` characters before `start`? */
export function cueBefore(
  text: string,
  start: number,
  cue: RegExp,
  distance: number,
): RegExpExecArray | null {
  const from = Math.max(0, start - distance);
  const window = text.slice(from, start);
  let last: RegExpExecArray | null = null;
  const re = new RegExp(cue.source, cue.flags.includes('g') ? cue.flags : cue.flags + 'g');
  for (let m = re.exec(window); m !== null; m = re.exec(window)) {
    if (m[0].length === 0) re.lastIndex++;
    last = m;
  }
  if (last) last.index += from;
  return last;
}
