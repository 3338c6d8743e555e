/** `Tableau` → Markdown table with a header row (merged cells padded, pipes escaped). */
import { inline, type RenderContext } from './inline.js';
import { child, elements, type XElement } from './tree.js';

function cell(el: XElement, ctx: RenderContext): string {
  return inline(el, ctx).replace(/\|/g, '\\|') || ' ';
}

function row(el: XElement, ctx: RenderContext): string[] {
  const out: string[] = [];
  for (const c of elements(el, 'Cellule')) {
    out.push(cell(c, ctx));
    const span = Number(c.attributes.fusionHorizontale ?? 1);
    for (let i = 1; i < span && i < 20; i++) out.push(' ');
  }
  return out;
}

export function table(el: XElement, ctx: RenderContext): string {
  const rows = elements(el, 'Rangée').map((r) => row(r, ctx));
  if (rows.length === 0) return '';
  const width = Math.max(elements(el, 'Colonne').length, ...rows.map((r) => r.length), 1);
  const line = (cells: string[]): string =>
    `| ${[...cells, ...Array<string>(width - cells.length).fill(' ')].join(' | ')} |`;
  const caption = inline(child(el, 'Titre'), ctx);
  const lines = [line(rows[0]), `|${' --- |'.repeat(width)}`, ...rows.slice(1).map(line)];
  return (caption ? `**${caption}**\n\n` : '') + lines.join('\n');
}
