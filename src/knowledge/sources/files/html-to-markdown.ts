/**
 * HTML → Markdown with turndown: ATX headings, `-` lists, and tables kept as pipe tables (own rule:
 * the header is the `<thead>` row or the first row; cells flattened to one line).
 */
import TurndownService from 'turndown';
import { renderTable } from './blocks.js';
import { limitHtmlDepth } from './html-depth.js';

let service: TurndownService | null = null;

export function htmlToMarkdown(html: string): string {
  return getService()
    .turndown(limitHtmlDepth(html))
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+$/gm, '')
    .replace(/^(\s*)([-*]|\d+\.) {2,}/gm, '$1$2 ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function getService(): TurndownService {
  if (service) return service;
  const td = new TurndownService({
    headingStyle: 'atx',
    bulletListMarker: '-',
    codeBlockStyle: 'fenced',
    emDelimiter: '*',
  });
  // Keep the text as written: escaping would put backslashes into what people search for.
  td.escape = (text: string) => text.replace(/^(#{1,6} )/gm, '\\$1');
  td.remove([
    'script',
    'style',
    'noscript',
    'template',
    'iframe',
    'object',
    'embed',
    'button',
    'select',
    'input',
    'form',
    'canvas',
  ]);
  td.remove((node) => node.nodeName.toLowerCase() === 'svg');
  td.addRule('table', {
    filter: 'table',
    replacement: (_content, node) => `\n\n${tableToMarkdown(node as HTMLTableElement, td)}\n\n`,
  });
  td.addRule('plainLink', {
    filter: (node) =>
      node.nodeName === 'A' && /^(tel:|mailto:|#|javascript:)/i.test(node.getAttribute('href') ?? ''),
    replacement: (content) => content,
  });
  td.addRule('image', {
    filter: 'img',
    replacement: (_c, node) => ((node as HTMLElement).getAttribute('alt') ?? '').trim(),
  });
  service = td;
  return td;
}

function tableToMarkdown(table: HTMLTableElement, td: TurndownService): string {
  const rows = Array.from(table.querySelectorAll('tr')).filter((tr) => tr.closest('table') === table);
  const cells = rows.map((tr) =>
    Array.from(tr.children)
      .filter((c) => /^(td|th)$/i.test(c.tagName))
      .map((c) =>
        td
          .turndown(c.innerHTML ?? '')
          .replace(/\s*\n+\s*/g, ' ')
          .trim(),
      ),
  );
  const nonEmpty = cells.filter((r) => r.length);
  if (!nonEmpty.length) return '';
  const caption = table.querySelector('caption')?.textContent?.replace(/\s+/g, ' ').trim();
  const [header, ...body] = nonEmpty;
  return (caption ? `${caption}\n\n` : '') + renderTable(header, body);
}
