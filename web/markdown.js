// Answer text as Markdown: parsed by `marked` (GFM: tables, ordered lists, headings, emphasis,
// links, code) and sanitised by DOMPurify before it reaches the page. Raw HTML written by a model
// or found in a source is shown as text, never interpreted.
import { Marked } from '/vendor/marked.js';
import DOMPurify from '/vendor/purify.js';

const escapeHtml = (s) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch],
  );

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({
  renderer: {
    // Raw HTML blocks and inline tags are printed as text.
    html(token) {
      return escapeHtml(token.text ?? token.raw ?? '');
    },
  },
});

const purify = DOMPurify(window);
purify.setConfig({
  ALLOWED_TAGS: [
    'p',
    'br',
    'strong',
    'em',
    'b',
    'i',
    'del',
    's',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'hr',
  ],
  ALLOWED_ATTR: ['href', 'title', 'start', 'align'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|tel:)/i,
  RETURN_DOM_FRAGMENT: true,
});
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    if (!node.getAttribute('href')) node.removeAttribute('href');
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/**
 * A sanitised DOM fragment for `text`. Headings are shifted down (an answer's `#` is at most an h3
 * in the page) and each table gets the DSFR wrapper. A table or list still being streamed renders
 * as far as it goes.
 */
export function renderMarkdown(text) {
  const html = marked.parse(text);
  const frag = purify.sanitize(html);
  // The answer's headings start at h3 (under the page's h2) and keep their relative levels.
  const headings = [...frag.querySelectorAll('h1, h2, h3, h4, h5, h6')];
  const top = Math.min(...headings.map((hx) => Number(hx.tagName[1])));
  for (const hx of headings) {
    const level = Math.min(6, Number(hx.tagName[1]) - top + 3);
    const el = document.createElement(`h${level}`);
    el.className = 'fr-h6 fr-mb-1w';
    el.append(...hx.childNodes);
    hx.replaceWith(el);
  }
  for (const table of frag.querySelectorAll('table')) {
    const wrap = document.createElement('div');
    wrap.className = 'fr-table fr-table--no-caption gc-md-table';
    table.replaceWith(wrap);
    table.setAttribute('tabindex', '0');
    wrap.append(table);
  }
  return frag;
}

/** Replaces `[n]` markers in the text nodes of `root` (outside code and links) with `make(n)`. */
export function linkCitations(root, known, make) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (/\[\d{1,2}\]/.test(n.data) && !n.parentElement?.closest('code, pre, a')) nodes.push(n);
  }
  for (const node of nodes) {
    const parts = node.data.split(/(\[\d{1,2}\])/);
    const out = parts.map((part) => {
      const m = /^\[(\d{1,2})\]$/.exec(part);
      return m && known.has(Number(m[1])) ? make(Number(m[1])) : document.createTextNode(part);
    });
    node.replaceWith(...out);
  }
}
