/**
 * Characters no engine stores: NUL (PostgreSQL text refuses it: a 500 for a name, a title, a
 * question or a document containing one) and unpaired UTF-16 surrogates (not encodable in UTF-8).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_G = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function hasUnsafeChars(text: string): boolean {
  return UNSAFE.test(text);
}

/** `text` without NUL and unpaired surrogates. */
export function stripUnsafeChars(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_G, '') : text;
}

/** Whether any string (value or key) of a JSON value holds an unsafe character; iterative. */
export function jsonHasUnsafeChars(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (UNSAFE.test(v)) return true;
    } else if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (UNSAFE.test(k)) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

/** A copy of a JSON-like value with every string (values and keys) stripped of unsafe characters. */
export function stripUnsafeDeep<T>(value: T): T {
  if (typeof value === 'string') return stripUnsafeChars(value) as T;
  if (Array.isArray(value)) return value.map((v) => stripUnsafeDeep(v)) as T;
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[stripUnsafeChars(k)] = stripUnsafeDeep(v);
    return out as T;
  }
  return value;
}
