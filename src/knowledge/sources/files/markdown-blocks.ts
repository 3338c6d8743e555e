/**
 * Markdown → blocks: ATX and setext headings, fenced code, pipe tables, list items (one block
 * each, so that a long list can be cut between items) and paragraphs. Thematic breaks are dropped.
 */
import type { Block } from './blocks.js';
import { unwrapLines, wrapWidth } from './unwrap.js';

const ATX = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const BREAK = /^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const LIST_ITEM = /^ {0,3}([-*+]|\d{1,9}[.)])[ \t]+\S/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

export function parseMarkdownBlocks(markdown: string): Block[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let buffer: string[] = [];
  let tight = false;
  let blankBefore = true;
  const width = wrapWidth(lines);
  const flush = () => {
    // Hard-wrapped lines are joined back into the sentences they cut.
    const text = unwrapLines(buffer, width, markdown).trim();
    if (text) blocks.push({ kind: 'text', text, tight });
    buffer = [];
    tight = false;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const next = lines[i + 1] ?? '';
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const end = lines.findIndex((l, j) => j > i && l.trim().startsWith(fence[1]));
      const stop = end < 0 ? lines.length - 1 : end;
      blocks.push({ kind: 'text', text: lines.slice(i, stop + 1).join('\n') });
      i = stop;
      blankBefore = false;
      continue;
    }
    const atx = ATX.exec(line);
    if (atx) {
      flush();
      const text = cleanHeading(atx[2]);
      if (text) blocks.push({ kind: 'heading', level: atx[1].length, text });
      blankBefore = true;
      continue;
    }
    if (line.includes('|') && TABLE_SEPARATOR.test(next) && next.includes('-') && buffer.length === 0) {
      const rows: string[][] = [];
      let j = i + 2;
      while (j < lines.length && lines[j].includes('|') && lines[j].trim()) rows.push(splitRow(lines[j++]));
      blocks.push({ kind: 'table', header: splitRow(line), rows });
      i = j - 1;
      blankBefore = false;
      continue;
    }
    if (!line.trim()) {
      flush();
      blankBefore = true;
      continue;
    }
    if (BREAK.test(line)) {
      flush();
      blankBefore = true;
      continue;
    }
    if (buffer.length === 0 && SETEXT.test(next) && line.trim().length <= 120 && !LIST_ITEM.test(line)) {
      const text = cleanHeading(line);
      if (text) blocks.push({ kind: 'heading', level: next.trim().startsWith('=') ? 1 : 2, text });
      i++;
      blankBefore = true;
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const wasBlank = blankBefore;
      flush();
      tight = !wasBlank;
    }
    buffer.push(line);
    blankBefore = false;
  }
  flush();
  return blocks;
}

function splitRow(line: string): string[] {
  const inner = line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

function cleanHeading(text: string): string {
  return text
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/\\([\\`*_{}[\]()#+\-.!|])/g, '$1')
    .trim();
}
