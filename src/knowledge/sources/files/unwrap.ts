/**
 * Hard-wrapped lines → the text as written: a line break inside a sentence becomes a space and a
 * word hyphenated at the end of a line is made whole again, while list items, "Label : value" lines,
 * table rows and short lines (addresses, signatures) keep their own line.
 *
 * A line is taken as wrapped when the next line continues its sentence (it starts in lower case,
 * or with a digit after a line that does not end a sentence) or when it is long enough that the
 * next line's first word would not have fitted within the document's wrap width.
 */

const LIST_ITEM =
  /^\s*(?:[-–—•*+·▪►✓]\s+|\d{1,2}[.)°]\s+|[a-z][.)]\s+|\(\d{1,2}\)\s+|(?:étape|article|art\.)\s+\d+)/iu;
const LABEL = /^\s*\p{Lu}[\p{L}\d'’ ()/.-]{0,50}?\s:(?:\s|$)/u;
/** Words a sentence cannot end with: a line ending with one is always continued. */
const OPEN_END =
  /[,(«“]$|(?:^|\s)(?:le|la|les|l'|de|du|des|d'|à|au|aux|par|pour|en|et|ou|un|une|sur|avec|dans|sans|chez|que|qu'|qui|dont|son|sa|ses|leur|leurs|ce|cette|ces|entre|vers|selon|si|ni)$/iu;
const COLUMNS = /\S(?: {3,}|\t)\S.*(?: {3,}|\t)\S/;
/** Words that follow a hyphen in French compounds: the hyphen at a line end is kept before them. */
const COMPOUND_TAILS = new Set([
  'être',
  'même',
  'mêmes',
  'ci',
  'là',
  'delà',
  'dessus',
  'dessous',
  'dedans',
  'dehors',
  't',
  'il',
  'ils',
  'elle',
  'elles',
  'on',
  'vous',
  'nous',
  'je',
  'tu',
  'moi',
  'toi',
  'lui',
  'leur',
  'leurs',
  'y',
  'en',
  'à',
]);

function isTableLine(line: string): boolean {
  return (line.match(/\|/g) ?? []).length >= 2 || COLUMNS.test(line);
}

/** The width lines were wrapped at: the length most long lines reach (90th percentile). */
export function wrapWidth(lines: string[]): number {
  const lengths = lines
    .map((l) => l.trim().length)
    .filter((n) => n >= 20)
    .sort((a, b) => a - b);
  if (lengths.length === 0) return Infinity;
  return lengths[Math.min(lengths.length - 1, Math.floor(lengths.length * 0.9))];
}

/**
 * Joins the wrapped lines of one paragraph. `width`: the document's wrap width (`wrapWidth` over
 * all its lines); `context`: the whole text, to tell a hyphenated compound from a cut word.
 */
export function unwrapLines(lines: string[], width: number, context = ''): string {
  const out: string[] = [];
  let itemIndent = -1;
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    const prev = out[out.length - 1];
    if (prev === undefined || !line.trim() || !prev.trim()) {
      out.push(line);
      itemIndent = LIST_ITEM.test(line) ? indentOf(line) : -1;
      continue;
    }
    const joined = join(prev, line, width, itemIndent, context);
    if (joined === null) {
      out.push(line);
      itemIndent = LIST_ITEM.test(line) ? indentOf(line) : -1;
    } else out[out.length - 1] = joined;
  }
  return out.join('\n');
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function join(prev: string, line: string, width: number, itemIndent: number, context: string): string | null {
  // Quoted lines of an e-mail ("> …") join only with each other, without their marks.
  const quoted = /^\s*>/.test(line);
  if (quoted !== /^\s*>/.test(prev)) return null;
  if (quoted) {
    const inner = join(
      prev.replace(/^\s*>\s?/, ''),
      line.replace(/^\s*>\s?/, ''),
      width,
      itemIndent,
      context,
    );
    return inner === null ? null : `> ${inner}`;
  }
  const next = line.trim();
  // "4. Merci…" after "…, bureau" is the wrapped sentence, not a list: a list opens after a line
  // that ends a sentence or introduces it, or at its first number.
  const numbered = /^\s*(\d{1,2})[.)°]\s/.exec(line);
  const continued = numbered && numbered[1] !== '1' && itemIndent < 0 && !/[.:;!?]$/.test(prev.trimEnd());
  if ((LIST_ITEM.test(line) && !continued) || LABEL.test(line) || isTableLine(line) || isTableLine(prev))
    return null;
  if (/( {2}|\\)$/.test(prev)) return null; // a Markdown hard break
  const end = prev.trimEnd();
  const inItem = itemIndent >= 0;
  // A word cut at the line end: "adminis-" + "tration"; a compound keeps its hyphen: "Saint-" + "Aubin".
  const cut = /(\p{L}+)-$/u.exec(end);
  if (cut && /^\p{L}/u.test(next)) {
    const first = /^[\p{L}]+/u.exec(next)![0];
    const keep =
      /^\p{Lu}/u.test(next) ||
      COMPOUND_TAILS.has(first.toLowerCase()) ||
      (context.includes(`${cut[1]}-${first}`) && !context.includes(`${cut[1]}${first}`));
    return keep ? `${end}${next}` : `${end.slice(0, -1)}${next}`;
  }
  const endsSentence = /[.!?…»"]$/.test(end);
  if (/^\p{Ll}/u.test(next)) return `${end} ${next}`;
  // An indented line under a list item continues the item.
  if (inItem && indentOf(line) > itemIndent && !endsSentence) return `${end} ${next}`;
  if (/:$/.test(end) || (inItem && /[.;!?]$/.test(end))) return null;
  if (/^\(/.test(next)) return endsSentence ? null : `${end} ${next}`;
  if (OPEN_END.test(end)) return `${end} ${next}`;
  const firstWord = next.split(/\s+/)[0];
  const wrapped = end.trim().length + 1 + firstWord.length > width * 0.9;
  return wrapped ? `${end} ${next}` : null;
}
