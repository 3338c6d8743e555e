/**
 * Blocks → sections. Each heading opens a section whose path is the heading stack. A section
 * stays whole when it fits in `MAX_SECTION` characters; a longer one is cut between blocks into
 * parts of similar size, tables into groups of whole rows that each repeat the header. Parts
 * holding a table are `atomic`, so a row never loses its column labels.
 */
import type { Section } from '../../model.js';
import { renderTable, type Block } from './blocks.js';

export const MAX_SECTION = 1500;
/** A single paragraph longer than this is cut at line boundaries. */
const MAX_UNIT = 3000;

interface Unit {
  text: string;
  tight: boolean;
  table: boolean;
}

export function buildSections(blocks: Block[]): Section[] {
  const sections: Section[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  let pending: Block[] = [];
  const flush = () => {
    if (pending.length)
      sections.push(
        ...segmentSections(
          stack.map((h) => h.text),
          pending,
        ),
      );
    pending = [];
  };
  for (const block of blocks) {
    if (block.kind !== 'heading') {
      pending.push(block);
      continue;
    }
    flush();
    while (stack.length && stack[stack.length - 1].level >= block.level) stack.pop();
    stack.push({ level: block.level, text: block.text });
  }
  flush();
  return mergeSmall(sections);
}

function mergeSmall(sections: Section[]): Section[] {
  const out: Section[] = [];
  /** Full path of the last section merged into each output section: its headings are still open. */
  const open: string[][] = [];
  for (const next of sections) {
    const last = out.length - 1;
    const current = out[last];
    if (current) {
      const path = commonPrefix(current.path, next.path);
      const a = withHeadings(current.markdown, current.path, path.length, current.path.length);
      const from = Math.max(path.length, commonPrefix(open[last], next.path).length);
      const b = withHeadings(next.markdown, next.path, from, next.path.length);
      if (a.length + b.length + 2 <= MAX_SECTION) {
        out[last] = {
          path,
          markdown: `${a}\n\n${b}`,
          ...(current.atomic || next.atomic ? { atomic: true } : {}),
        };
        open[last] = next.path;
        continue;
      }
    }
    out.push(next);
    open.push(next.path);
  }
  return out;
}

function commonPrefix(a: string[], b: string[]): string[] {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

/** `markdown` preceded by heading lines for `path[from..to)`, at their depth in the document. */
function withHeadings(markdown: string, path: string[], from: number, to: number): string {
  const lines = path.slice(from, to).map((h, i) => `${'#'.repeat(Math.min(6, from + i + 2))} ${h}`);
  return [...lines, markdown].join('\n\n');
}

function segmentSections(path: string[], blocks: Block[]): Section[] {
  const units = blocks.flatMap(toUnits);
  const total = units.reduce((n, u) => n + u.text.length + 2, 0);
  if (total <= MAX_SECTION) return [makeSection(path, units)];
  const target = total / Math.ceil(total / MAX_SECTION);
  const out: Section[] = [];
  let current: Unit[] = [];
  let size = 0;
  for (const unit of units) {
    if (current.length && (size + unit.text.length > MAX_SECTION || size >= target)) {
      out.push(makeSection(path, current));
      current = [];
      size = 0;
    }
    current.push(unit);
    size += unit.text.length + 2;
  }
  if (current.length) out.push(makeSection(path, current));
  return out;
}

function makeSection(path: string[], units: Unit[]): Section {
  const markdown = units.map((u, i) => (i === 0 ? '' : u.tight ? '\n' : '\n\n') + u.text).join('');
  const section: Section = { path: [...path], markdown };
  if (units.some((u) => u.table)) section.atomic = true;
  return section;
}

function toUnits(block: Block): Unit[] {
  if (block.kind === 'table') return tableUnits(block.header, block.rows, block.caption);
  if (block.kind === 'heading') return [];
  return splitLong(block.text).map((text, i) => ({
    text,
    tight: i > 0 || Boolean(block.tight),
    table: false,
  }));
}

/** Rows grouped under a repeated header, each group at most `MAX_SECTION` (a longer row stays alone). */
function tableUnits(header: string[], rows: string[][], caption?: string): Unit[] {
  const units: Unit[] = [];
  const prefix = caption ? `${caption}\n\n` : '';
  let group: string[][] = [];
  const emit = () => {
    if (group.length) units.push({ text: prefix + renderTable(header, group), tight: false, table: true });
    group = [];
  };
  for (const row of rows) {
    if (group.length && (prefix + renderTable(header, [...group, row])).length > MAX_SECTION) emit();
    group.push(row);
  }
  if (!rows.length) group.push([]);
  emit();
  return units;
}

function splitLong(text: string): string[] {
  if (text.length <= MAX_UNIT) return [text];
  const parts: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    for (const piece of line.length > MAX_UNIT ? (line.match(/[^.!?]+[.!?]*\s*/g) ?? [line]) : [line]) {
      if (current && current.length + piece.length > MAX_SECTION) {
        parts.push(current);
        current = '';
      }
      current += (current && !current.endsWith(' ') ? '\n' : '') + piece;
    }
  }
  if (current) parts.push(current);
  return parts;
}
