/**
 * The intermediate form every parser produces: headings, text blocks and tables, in reading order.
 * `renderBlocks` gives the whole Markdown; `buildSections` (sections.ts) the sections.
 */
export type Block =
  | { kind: 'heading'; level: number; text: string }
  /** A paragraph, a list item, a code block. `tight`: joined to the previous block by one newline. */
  | { kind: 'text'; text: string; tight?: boolean }
  | { kind: 'table'; header: string[]; rows: string[][]; caption?: string };

export function renderTable(header: string[], rows: string[][]): string {
  const width = Math.max(header.length, ...rows.map((r) => r.length));
  const line = (cells: string[]) =>
    `| ${Array.from({ length: width }, (_, i) => escapeCell(cells[i] ?? '')).join(' | ')} |`;
  return [line(header), `|${' --- |'.repeat(width)}`, ...rows.map(line)].join('\n');
}

function escapeCell(cell: string): string {
  return cell
    .replace(/\s*\n\s*/g, ' ')
    .replace(/(?<!\\)\|/g, '\\|')
    .trim();
}

/** The whole document as Markdown, headings shifted under the title's `#`. */
export function renderBlocks(title: string, blocks: Block[]): string {
  const levels = [...new Set(blocks.flatMap((b) => (b.kind === 'heading' ? [b.level] : [])))].sort(
    (a, b) => a - b,
  );
  let out = title ? `# ${title}` : '';
  for (const block of blocks) {
    const piece =
      block.kind === 'heading'
        ? `${'#'.repeat(Math.min(6, levels.indexOf(block.level) + 2))} ${block.text}`
        : block.kind === 'table'
          ? (block.caption ? `${block.caption}\n\n` : '') + renderTable(block.header, block.rows)
          : block.text;
    if (!out) out = piece;
    else out += (block.kind === 'text' && block.tight ? '\n' : '\n\n') + piece;
  }
  return out + '\n';
}

/** Title from a file name: `tarifs_cantine-2025.csv` → `tarifs cantine-2025`. */
export function titleFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return (
    base
      .replace(/\.[a-z0-9]{1,8}$/i, '')
      .replace(/_+/g, ' ')
      .trim() || base
  );
}

/**
 * Removes the first heading as the document title when it opens the document and is the only one
 * of its level (or, `relaxed`, whenever it opens the document: the first line of a text file).
 */
export function takeTitle(
  blocks: Block[],
  fallback: string,
  relaxed = false,
): { title: string; blocks: Block[] } {
  const first = blocks.findIndex((b) => b.kind === 'heading');
  if (first < 0) return { title: fallback, blocks };
  const heading = blocks[first] as Extract<Block, { kind: 'heading' }>;
  const sameLevel = blocks.filter((b) => b.kind === 'heading' && b.level <= heading.level).length;
  const textBefore = blocks.slice(0, first).some((b) => b.kind !== 'heading');
  if ((sameLevel !== 1 && !relaxed) || textBefore) return { title: fallback, blocks };
  return { title: heading.text, blocks: blocks.filter((_, i) => i !== first) };
}

/** A column or key name made readable: `quotient_familial` → `Quotient familial`. */
export function humanizeLabel(raw: string): string {
  const text = raw.replace(/_+/g, ' ').replace(/\s+/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}
