/**
 * Plain lines → blocks, recovering headings a person sees in a text or a PDF: short lines in ALL
 * CAPS (consecutive ones merged), underlined lines (=== / ---), numbered headings ("1. …",
 * "1.2 …", "II. …", "Article 3 – …"), and lines in a larger font when sizes are known (PDF).
 * Blank lines separate paragraphs; separator lines (-----, =====, ****) are dropped.
 */
import type { Block } from './blocks.js';
import { unwrapLines, wrapWidth } from './unwrap.js';

export interface TextLine {
  text: string;
  /** Font size, when known (PDF). */
  size?: number;
}

const SEPARATOR = /^\s*([-=_*~#+.])(\s*\1){2,}\s*$/;
const ARTICLE = /^(article|art\.)\s+(\d+|[ivxlcdm]+|premier|1er|unique)\b\s*(?:$|[-–—:.]\s*\S)/i;
const PART = /^(titre|chapitre|partie|section|annexe)\s+(\d+|[ivxlcdm]+|premier|première|unique)\b/i;
const NUMBERED = /^(\d{1,2}(?:\.\d{1,2}){0,3})[.)]?\s+\S/;
const ROMAN = /^([IVX]{1,5})[.)–-]\s+\S/;
const BOILERPLATE = /^(république française|liberté,? égalité,? fraternité)$/i;
const MAX_HEADING = 120;

export function textLinesToBlocks(lines: TextLine[], o: { unwrap?: boolean } = {}): Block[] {
  const bodySize = dominantSize(lines);
  const sizes = headingSizes(lines, bodySize);
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const width = wrapWidth(lines.map((l) => l.text));
  const context = lines.map((l) => l.text).join('\n');
  const flush = () => {
    // Hard-wrapped lines are joined back into the sentences they cut.
    const joined = o.unwrap === false ? paragraph.join('\n') : unwrapLines(paragraph, width, context);
    const text = joined.replace(/^\n+|\s+$/g, '');
    if (text.trim()) blocks.push({ kind: 'text', text });
    paragraph = [];
  };
  let afterHeading = false;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].text.replace(/\s+$/, '');
    const next = lines[i + 1]?.text ?? '';
    const prev = i === 0 ? '' : lines[i - 1].text;
    const prevBreak = afterHeading || !prev.trim() || SEPARATOR.test(prev);
    const adjacentHeading = afterHeading && prev.trim() !== '';
    afterHeading = false;
    if (!text.trim() || SEPARATOR.test(text)) {
      flush();
      continue;
    }
    const nextBreak = !next.trim() || SEPARATOR.test(next);
    const underline = SEPARATOR.test(next) && /^\s*[-=]/.test(next) ? (next.trim()[0] === '=' ? 1 : 2) : 0;
    const level =
      paragraph.length === 0 && prevBreak
        ? headingLevel(text, lines[i].size, sizes, nextBreak, underline)
        : 0;
    if (!level) {
      paragraph.push(text);
      continue;
    }
    flush();
    const last = blocks[blocks.length - 1];
    const clean = text.trim().replace(/\s+/g, ' ');
    if (
      adjacentHeading &&
      last?.kind === 'heading' &&
      last.level === level &&
      isCaps(clean) &&
      isCaps(last.text)
    ) {
      last.text = BOILERPLATE.test(last.text) ? clean : `${last.text} ${clean}`;
    } else {
      blocks.push({ kind: 'heading', level, text: clean });
    }
    afterHeading = true;
  }
  flush();
  return blocks;
}

function headingLevel(
  text: string,
  size: number | undefined,
  sizes: number[],
  nextBreak: boolean,
  underline: number,
): number {
  const line = text.trim();
  if (line.length > MAX_HEADING || /[,;]$/.test(line)) return 0;
  if (ARTICLE.test(line)) return 4;
  if (PART.test(line) && (nextBreak || isCaps(line) || line.length < 60)) return 2;
  const numbered = NUMBERED.exec(line);
  if (numbered && !/\.$/.test(line) && (nextBreak || isCaps(line)))
    return 3 + (numbered[1].split('.').length - 1);
  if (ROMAN.test(line) && (nextBreak || isCaps(line))) return 2;
  if (size && sizes.includes(size)) return 1;
  if (underline) return underline;
  if (isCaps(line)) return 1;
  return 0;
}

export function isCaps(line: string): boolean {
  const letters = line.match(/\p{L}/gu) ?? [];
  if (letters.length < 4) return false;
  const upper = letters.filter((c) => c === c.toUpperCase() && c !== c.toLowerCase()).length;
  return upper / letters.length >= 0.9;
}

/** The font size carrying most characters: the body text's. */
function dominantSize(lines: TextLine[]): number | undefined {
  const weight = new Map<number, number>();
  for (const l of lines) if (l.size) weight.set(l.size, (weight.get(l.size) ?? 0) + l.text.length);
  let best: number | undefined;
  for (const [size, w] of weight) if (best === undefined || w > (weight.get(best) ?? 0)) best = size;
  return best;
}

function headingSizes(lines: TextLine[], body: number | undefined): number[] {
  if (!body) return [];
  return [...new Set(lines.flatMap((l) => (l.size && l.size >= body * 1.15 ? [l.size] : [])))];
}
