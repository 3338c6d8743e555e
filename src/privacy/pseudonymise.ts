import { inspect } from 'node:util';
import { scanPersonalData } from './detect.js';
import {
  normaliseValue,
  PLACEHOLDER_LABELS,
  PLACEHOLDER_RE,
  MAX_PLACEHOLDER_LENGTH,
} from './placeholders.js';
import type { PiiType } from './recognizers/types.js';

export { PLACEHOLDER_LABELS } from './placeholders.js';

export interface RestoreResult {
  text: string;
  /** Placeholder-shaped tokens that were never issued (e.g. a model inventing `[PERSONNE_9]`). */
  unknownPlaceholders: string[];
}

/**
 * Replaces personal data with stable placeholders for one conversation, and puts the values back
 * in the model's answer. The mapping lives in memory only (private fields) and never serialises.
 *
 * Placeholders typed by the user are never restored into someone's data: a user token that was not
 * issued is reserved (its number is skipped) and left as it is; one that collides with an issued
 * placeholder is itself swapped for a fresh placeholder that restores to the literal text typed.
 */
export class Pseudonymiser {
  readonly #byKey = new Map<string, string>();
  readonly #values = new Map<string, string>();
  readonly #reserved = new Set<string>();
  readonly #counters = new Map<string, number>();
  readonly #types: PiiType[] | undefined;

  constructor(options: { types?: PiiType[] } = {}) {
    this.#types = options.types;
  }

  pseudonymise(text: string): string {
    if (typeof text !== 'string' || text === '') return '';
    // Reserve user-typed placeholders before issuing anything for this text.
    for (const m of text.matchAll(PLACEHOLDER_RE)) if (!this.#values.has(m[0])) this.#reserved.add(m[0]);
    const pieces: { start: number; end: number; replacement: string }[] = [];
    for (const s of scanPersonalData(text, { types: this.#types }).spans) {
      const value = text.slice(s.start, s.end);
      pieces.push({ start: s.start, end: s.end, replacement: this.#placeholderFor(s.type, value) });
    }
    for (const m of text.matchAll(PLACEHOLDER_RE)) {
      const start = m.index;
      const inside = pieces.some((p) => start < p.end && p.start < start + m[0].length);
      // A user token equal to an issued placeholder would be "restored" into someone's data.
      if (!inside && this.#values.has(m[0]) && this.#values.get(m[0]) !== m[0])
        pieces.push({ start, end: start + m[0].length, replacement: this.#literalFor(m[0]) });
    }
    pieces.sort((a, b) => a.start - b.start);
    let out = '';
    let at = 0;
    for (const p of pieces) {
      out += text.slice(at, p.start) + p.replacement;
      at = p.end;
    }
    return out + text.slice(at);
  }

  restore(text: string): RestoreResult {
    if (typeof text !== 'string') return { text: '', unknownPlaceholders: [] };
    const unknown = new Set<string>();
    const restored = text.replace(PLACEHOLDER_RE, (token) => {
      const value = this.#values.get(token);
      if (value !== undefined) return value;
      if (!this.#reserved.has(token)) unknown.add(token);
      return token;
    });
    return { text: restored, unknownPlaceholders: [...unknown] };
  }

  /** Counts only: never the values. */
  toJSON(): { placeholders: number; byType: Record<string, number>; reservedUserTokens: number } {
    const byType: Record<string, number> = {};
    for (const p of this.#values.keys()) {
      const label = p.slice(1, p.lastIndexOf('_'));
      byType[label] = (byType[label] ?? 0) + 1;
    }
    return { placeholders: this.#values.size, byType, reservedUserTokens: this.#reserved.size };
  }

  [inspect.custom](): string {
    return `Pseudonymiser ${JSON.stringify(this.toJSON())}`;
  }

  #next(label: string): string {
    let n = this.#counters.get(label) ?? 0;
    let token: string;
    do token = `[${label}_${++n}]`;
    while (this.#reserved.has(token) || this.#values.has(token));
    this.#counters.set(label, n);
    return token;
  }

  #placeholderFor(type: PiiType, value: string): string {
    const key = `${type}\u0000${normaliseValue(type, value)}`;
    let token = this.#byKey.get(key);
    if (!token) {
      token = this.#next(PLACEHOLDER_LABELS[type]);
      this.#byKey.set(key, token);
      this.#values.set(token, value);
    }
    return token;
  }

  #literalFor(typed: string): string {
    const key = `LITERAL\u0000${typed}`;
    let token = this.#byKey.get(key);
    if (!token) {
      token = this.#next(typed.slice(1, typed.lastIndexOf('_')));
      this.#byKey.set(key, token);
      this.#values.set(token, typed);
    }
    return token;
  }
}

export interface StreamRestorer {
  /** Restored text that is safe to emit now; a possible partial placeholder is held back. */
  push(chunk: string): string;
  /** Everything still held, restored. */
  flush(): string;
  /** Unknown placeholders met so far. */
  unknownPlaceholders(): string[];
}

const LABEL_LIST = Object.values(PLACEHOLDER_LABELS);

/** Is `s` (starting with "[") the beginning of some placeholder: "[PERS", "[NIR_", "[NIR_12"? */
function isPartialPlaceholder(s: string): boolean {
  const body = s.slice(1);
  if (body.length > MAX_PLACEHOLDER_LENGTH) return false;
  if (LABEL_LIST.some((l) => `${l}_`.startsWith(body))) return true;
  return LABEL_LIST.some((l) => body.startsWith(`${l}_`) && /^\d{1,9}$/.test(body.slice(l.length + 1)));
}

/** Index where a possible partial placeholder starts at the end of `s`, or s.length. */
function partialStart(s: string): number {
  const from = s.lastIndexOf('[');
  return from >= 0 && isPartialPlaceholder(s.slice(from)) ? from : s.length;
}

/** Restores a stream of chunks where a placeholder may be split across chunks (`[PERS` + `ONNE_1]`). */
export function createStreamRestorer(p: Pseudonymiser): StreamRestorer {
  let held = '';
  const unknown = new Set<string>();
  const restore = (s: string): string => {
    const r = p.restore(s);
    for (const u of r.unknownPlaceholders) unknown.add(u);
    return r.text;
  };
  return {
    push(chunk: string): string {
      held += typeof chunk === 'string' ? chunk : '';
      const cut = partialStart(held);
      const ready = held.slice(0, cut);
      held = held.slice(cut);
      return restore(ready);
    },
    flush(): string {
      const rest = held;
      held = '';
      return restore(rest);
    },
    unknownPlaceholders: () => [...unknown],
  };
}
