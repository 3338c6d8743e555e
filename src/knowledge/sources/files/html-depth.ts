/**
 * Bounded nesting for untrusted HTML, in one linear pass without recursion: the DOM library, the
 * readability extractor and the Markdown converter all walk the tree recursively, and their cost
 * grows much faster than the depth (5,000 nested `<div>` kept a converter busy for minutes).
 * Opening tags below `maxDepth` open elements are dropped (with their closing tags); the text is
 * kept. Ordinary pages nest a few dozen levels and go through unchanged.
 */

/** Deeper than any page or Word document in practice; cheap for every library downstream. */
export const MAX_HTML_DEPTH = 64;

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
  'keygen',
  'frame',
  'basefont',
  'isindex',
]);
const RAW_TEXT = new Set([
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'plaintext',
]);
/** Elements whose end tag may be omitted: a new one of the same family closes the open one. */
const FAMILY: Record<string, string> = {
  p: 'p',
  li: 'li',
  dt: 'dd',
  dd: 'dd',
  tr: 'tr',
  td: 'td',
  th: 'td',
  option: 'option',
  optgroup: 'optgroup',
  thead: 'tbody',
  tbody: 'tbody',
  tfoot: 'tbody',
  rp: 'rt',
  rt: 'rt',
};
/** How far down the open elements an end tag looks for its element (browsers ignore strays). */
const END_TAG_REACH = 64;

const TOKEN =
  /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<[!?][^>]*>?|<(\/?)([A-Za-z][A-Za-z0-9:-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g;

interface Open {
  name: string;
  kept: boolean;
}

/** `html` with its nesting limited to `maxDepth` open elements; unchanged when already within. */
export function limitHtmlDepth(html: string, maxDepth = MAX_HTML_DEPTH): string {
  const stack: Open[] = [];
  let depth = 0; // kept elements on the stack
  let out = '';
  let last = 0;
  let changed = false;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(html); m; m = TOKEN.exec(html)) {
    const name = m[2]?.toLowerCase();
    if (!name) continue; // comment, doctype, CDATA, processing instruction: kept as they are
    const closing = m[1] === '/';
    const selfClosing = !closing && m[3].trimEnd().endsWith('/');
    let keep = true;
    if (closing) {
      let at = -1;
      for (let i = stack.length - 1; i >= Math.max(0, stack.length - END_TAG_REACH); i--) {
        if (stack[i].name === name) {
          at = i;
          break;
        }
      }
      if (at < 0)
        keep = true; // a stray end tag: left for the parser to ignore
      else {
        keep = stack[at].kept;
        for (let i = stack.length - 1; i >= at; i--) if (stack[i].kept) depth--;
        stack.length = at;
      }
    } else if (!VOID.has(name) && !selfClosing) {
      const family = FAMILY[name];
      if (family && stack.length && FAMILY[stack[stack.length - 1].name] === family) {
        if (stack.pop()!.kept) depth--;
      }
      keep = depth < maxDepth;
      stack.push({ name, kept: keep });
      if (keep) depth++;
      if (RAW_TEXT.has(name)) {
        // Raw text runs to its own end tag: no markup inside it counts.
        const endTag = new RegExp(`</${name}`, 'ig');
        endTag.lastIndex = m.index + m[0].length;
        const end = endTag.exec(html)?.index ?? -1;
        if (!keep) {
          changed = true;
          out += html.slice(last, m.index) + (m.index > last ? ' ' : '');
          last = m.index + m[0].length;
        }
        TOKEN.lastIndex = end < 0 ? html.length : end;
        continue;
      }
    }
    if (!keep) {
      changed = true;
      out += html.slice(last, m.index) + (m.index > last ? ' ' : '');
      last = m.index + m[0].length;
    }
  }
  return changed ? out + html.slice(last) : html;
}
