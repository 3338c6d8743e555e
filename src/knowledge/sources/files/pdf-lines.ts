/**
 * A PDF page's text items → lines with their font size, and blank lines where the vertical gap
 * shows a new paragraph. Item positions come from pdf.js (`transform` = [a, b, c, d, x, y]).
 */
import type { TextLine } from './text-blocks.js';

export interface PdfTextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL?: boolean;
}

interface Line {
  text: string;
  y: number;
  size: number;
  endX: number;
}

export function pageLines(items: PdfTextItem[]): TextLine[] {
  const lines: Line[] = [];
  for (const item of items) {
    if (!item.str || !Array.isArray(item.transform)) continue;
    const [, , , d, x, y] = item.transform;
    const size = Math.round(Math.abs(item.height || d || 0) * 2) / 2;
    const line = lines[lines.length - 1];
    if (line && Math.abs(line.y - y) <= Math.max(1, Math.min(line.size, size) * 0.4)) {
      const gap = x - line.endX;
      line.text +=
        gap > size * 0.15 && !line.text.endsWith(' ') && !item.str.startsWith(' ')
          ? ` ${item.str}`
          : item.str;
      line.size = Math.max(line.size, size);
      line.endX = x + item.width;
    } else {
      lines.push({ text: item.str, y, size, endX: x + item.width });
    }
  }
  const out: TextLine[] = [];
  lines.forEach((line, i) => {
    const prev = lines[i - 1];
    if (prev && prev.y - line.y > Math.max(prev.size, line.size) * 1.7) out.push({ text: '' });
    const text = line.text.replace(/\s+/g, ' ').trim();
    if (text) out.push({ text, size: line.size || undefined });
  });
  return out;
}
