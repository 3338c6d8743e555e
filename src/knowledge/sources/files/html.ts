/**
 * HTML pages: the main content without navigation, header, footer, sidebars, cookie banners and
 * scripts (Readability on a linkedom document, falling back to `<main>`/`<article>`/`<body>`
 * stripped of page furniture), turned into Markdown, then into sections by headings.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { decodeText } from './decode.js';
import { limitHtmlDepth } from './html-depth.js';
import { htmlToMarkdown } from './html-to-markdown.js';
import { markdownToParsed } from './markdown.js';
import type { ParsedFile, Parser } from './spec.js';

const FURNITURE = [
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'nav',
  'header',
  'footer',
  'form',
  '[role=navigation]',
  '[role=banner]',
  '[role=contentinfo]',
  '[role=search]',
  '[aria-hidden=true]',
  '[hidden]',
  '.skip-link',
  '.sr-only',
  '.visually-hidden',
  '.fil-ariane',
  '.breadcrumb',
].join(',');
const COOKIE = /cookie|consent|tarteaucitron|rgpd|gdpr|didomi|axeptio|onetrust/i;

export const htmlParser: Parser = {
  format: 'html',
  async parse({ bytes, fileName }) {
    const { text, encoding } = decodeText(bytes, fileName);
    return htmlToParsed(text, fileName, { encoding });
  },
};

export function htmlToParsed(
  untrustedHtml: string,
  fileName: string,
  metadata: Record<string, unknown>,
): ParsedFile {
  const html = limitHtmlDepth(untrustedHtml);
  const pageTitle =
    parseHTML(html).document.querySelector('title')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  const { content, h1 } = mainContent(html);
  const markdown = htmlToMarkdown(content);
  const title = h1 || pageTitle.split(/\s+[|–—-]\s+/)[0] || undefined;
  const parsed = markdownToParsed(markdown, fileName, { ...metadata, pageTitle: pageTitle || null }, title);
  if (!markdown.trim()) parsed.warnings.push("Aucun contenu textuel n'a été trouvé dans cette page HTML.");
  return parsed;
}

/** The page's main content as HTML, and its `<h1>` when there is exactly one. */
function mainContent(html: string): { content: string; h1: string } {
  const { document } = parseHTML(html);
  for (const el of Array.from(document.querySelectorAll(FURNITURE))) el.remove();
  for (const el of Array.from(document.querySelectorAll('[id],[class]'))) {
    if (COOKIE.test(`${el.getAttribute('id') ?? ''} ${el.getAttribute('class') ?? ''}`)) el.remove();
  }
  const h1s = Array.from(document.querySelectorAll('h1'));
  const h1 = h1s.length === 1 ? (h1s[0].textContent ?? '').replace(/\s+/g, ' ').trim() : '';
  const fallback = fallbackContent(document);
  let article: { content?: string | null; textContent?: string | null } | null;
  try {
    const clone = parseHTML(
      `<!doctype html><html><body>${document.body?.innerHTML ?? ''}</body></html>`,
    ).document;
    article = new Readability(clone as unknown as Document, { charThreshold: 200 }).parse();
  } catch {
    article = null;
  }
  const fallbackLength = textLength(fallback);
  // Readability sometimes keeps only one block of a structured page: trust it only when it kept most of the text.
  if (article?.content && (article.textContent ?? '').replace(/\s+/g, ' ').length >= fallbackLength * 0.8) {
    return { content: article.content, h1 };
  }
  return { content: fallback, h1 };
}

function fallbackContent(document: Document): string {
  const root = document.querySelector('main, [role=main], article') ?? document.body;
  if (!root) return '';
  const copy = root.cloneNode(true) as Element;
  for (const el of Array.from(copy.querySelectorAll('aside'))) {
    if (!el.closest('article')) el.remove();
  }
  return copy.innerHTML ?? '';
}

function textLength(html: string): number {
  return (parseHTML(`<html><body>${html}</body></html>`).document.body?.textContent ?? '').replace(
    /\s+/g,
    ' ',
  ).length;
}
