/**
 * Nesting depth of a JSON text, in one pass without recursion and without parsing it: checked
 * before `JSON.parse`, since everything that walks the parsed value afterwards (zod, renderers,
 * the store's serialisers) recurses and would overflow the stack on ~5,000 levels.
 */

/** Deeper than any legitimate request body, metadata or data file. */
export const MAX_JSON_DEPTH = 64;

/** Whether the JSON text nests more than `max` arrays/objects (strings are skipped). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}
