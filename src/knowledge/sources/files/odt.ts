/**
 * ODT (LibreOffice Writer): `content.xml` walked in reading order — headings (`text:h` with their
 * outline level), paragraphs, lists, tables (first row as header), sections — into blocks, then
 * sections by headings like every other document. The title comes from meta.xml or the lone
 * top heading. Notes and annotations are left out.
 */
import { AppError } from '../../../shared/errors.js';
import { renderBlocks, takeTitle, titleFromFileName, type Block } from './blocks.js';
import { children, cleanText, findFirst, readOdfPackage, textOf, type OdfElement } from './odf-xml.js';
import { buildSections } from './sections.js';
import type { Parser } from './spec.js';

export const odtParser: Parser = {
  format: 'odt',
  async parse({ bytes, fileName }) {
    const pkg = readOdfPackage(bytes, fileName, 'un document OpenDocument');
    const body = findFirst(pkg.content, 'office:text');
    if (!body) {
      throw new AppError(
        'unprocessable',
        `Le fichier « ${fileName} » n'est pas un document texte OpenDocument valide (aucun texte).`,
      );
    }
    const all: Block[] = [];
    walk(body, all, 0);
    let title: string;
    let blocks: Block[];
    if (pkg.title) {
      title = pkg.title;
      const first = all.findIndex((b) => b.kind !== 'heading' || b.text === title);
      blocks = first >= 0 && all[first].kind === 'heading' ? all.filter((_, i) => i !== first) : all;
    } else {
      ({ title, blocks } = takeTitle(all, titleFromFileName(fileName)));
    }
    const warnings: string[] = [];
    if (!blocks.length) warnings.push('Le document OpenDocument ne contient aucun texte.');
    return {
      title,
      markdown: renderBlocks(title, blocks),
      sections: buildSections(blocks),
      warnings,
      metadata: { properties: { title: pkg.title ?? null } },
    };
  },
};

function walk(el: OdfElement, out: Block[], listDepth: number): void {
  for (const child of children(el)) {
    switch (child.name) {
      case 'text:h': {
        const text = cleanText(textOf(child));
        const level = Math.min(6, Math.max(1, Number(child.attributes['text:outline-level'] ?? 1) || 1));
        if (text) out.push({ kind: 'heading', level, text });
        break;
      }
      case 'text:p': {
        const text = cleanText(textOf(child));
        if (text) out.push({ kind: 'text', text });
        // Frames anchored in the paragraph (text boxes) hold text too.
        for (const frame of children(child, 'draw:frame')) walk(frame, out, listDepth);
        break;
      }
      case 'text:list':
        listItems(child, out, listDepth);
        break;
      case 'table:table':
        table(child, out);
        break;
      case 'text:section':
      case 'draw:frame':
      case 'draw:text-box':
      case 'text:index-body':
        walk(child, out, listDepth);
        break;
      default:
        break;
    }
  }
}

function listItems(list: OdfElement, out: Block[], depth: number): void {
  for (const item of children(list)) {
    if (item.name !== 'text:list-item' && item.name !== 'text:list-header') continue;
    let first = true;
    for (const part of children(item)) {
      if (part.name === 'text:list') {
        listItems(part, out, depth + 1);
        continue;
      }
      const text = part.name === 'text:p' || part.name === 'text:h' ? cleanText(textOf(part)) : '';
      if (!text) continue;
      const indent = '  '.repeat(depth);
      out.push({ kind: 'text', text: first ? `${indent}- ${text}` : `${indent}  ${text}`, tight: true });
      first = false;
    }
  }
}

function table(el: OdfElement, out: Block[]): void {
  const rows: string[][] = [];
  const collect = (node: OdfElement) => {
    for (const child of children(node)) {
      if (child.name === 'table:table-row') {
        const cells: string[] = [];
        for (const cell of children(child)) {
          if (cell.name !== 'table:table-cell' && cell.name !== 'table:covered-table-cell') continue;
          const text = children(cell)
            .map((p) => cleanText(textOf(p)))
            .filter(Boolean)
            .join(' ');
          const repeat = Math.min(
            64,
            Math.max(1, Number(cell.attributes['table:number-columns-repeated'] ?? 1) || 1),
          );
          for (let k = 0; k < repeat; k++) cells.push(text);
        }
        rows.push(cells);
      } else if (/^table:table-(header-rows|rows|row-group)$/.test(child.name)) {
        collect(child);
      }
    }
  };
  collect(el);
  const filled = rows.filter((r) => r.some((c) => c !== ''));
  if (!filled.length) return;
  const [header, ...body] = filled;
  out.push({ kind: 'table', header, rows: body });
}
