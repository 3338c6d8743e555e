/**
 * ODS (LibreOffice Calc): `content.xml` read as sheets of rows, then records like CSV and XLSX
 * (sheet-records.ts). Formulas give the value LibreOffice last displayed; merged cells (spanned
 * rows and columns) repeat their value in every cell they cover, so each record stays complete.
 * Repeated rows and columns are expanded only when they hold something, within the row limit.
 */
import { AppError } from '../../../shared/errors.js';
import { children, cleanText, findFirst, readOdfPackage, textOf, type OdfElement } from './odf-xml.js';
import { sheetsToParsed, SHEET_LIMITS, tooManyRows, type Sheet } from './sheet-records.js';
import type { Parser } from './spec.js';

export const odsParser: Parser = {
  format: 'ods',
  async parse({ bytes, fileName }) {
    const pkg = readOdfPackage(bytes, fileName, 'un classeur OpenDocument');
    const spreadsheet = findFirst(pkg.content, 'office:spreadsheet');
    if (!spreadsheet) {
      throw new AppError(
        'unprocessable',
        `Le fichier « ${fileName} » n'est pas un classeur OpenDocument valide (aucune feuille).`,
      );
    }
    const budget = { rows: 0 };
    const sheets: Sheet[] = children(spreadsheet, 'table:table').map((table, i) => ({
      name: table.attributes['table:name'] || `Feuille ${i + 1}`,
      rows: readTable(table, budget, fileName),
    }));
    return sheetsToParsed(sheets, fileName, { properties: { title: pkg.title ?? null } }, [], pkg.title);
  },
};

/** Rows of one sheet; `budget` counts rows over the workbook to stop at the limit. */
function readTable(table: OdfElement, budget: { rows: number }, fileName: string): string[][] {
  const rows: string[][] = [];
  // Values of cells spanning several rows, by column: [value, rows still covered].
  const carried = new Map<number, { value: string; left: number }>();
  for (const row of rowElements(table)) {
    const repeat = Math.max(1, Number(row.attributes['table:number-rows-repeated'] ?? 1) || 1);
    const cells = readRow(row, carried);
    const empty = cells.every((c) => c.trim() === '');
    const times = empty ? Math.min(repeat, 1) : repeat;
    for (let r = 0; r < times; r++) {
      budget.rows++;
      if (budget.rows > SHEET_LIMITS.maxRows + 1 + 100) throw tooManyRows(fileName, budget.rows);
      rows.push(empty ? [] : cells);
    }
    for (const [col, c] of carried) {
      c.left -= repeat;
      if (c.left <= 0) carried.delete(col);
    }
  }
  return rows;
}

/** Rows in document order, through header-row and row-group wrappers. */
function rowElements(el: OdfElement): OdfElement[] {
  const out: OdfElement[] = [];
  for (const child of children(el)) {
    if (child.name === 'table:table-row') out.push(child);
    else if (/^table:table-(header-rows|rows|row-group)$/.test(child.name)) out.push(...rowElements(child));
  }
  return out;
}

function readRow(row: OdfElement, carried: Map<number, { value: string; left: number }>): string[] {
  const cells: string[] = [];
  let col = 0;
  let pendingEmpty = 0;
  const put = (value: string) => {
    if (col >= SHEET_LIMITS.maxColumns + 1) return;
    if (value === '') {
      pendingEmpty++;
    } else {
      while (pendingEmpty > 0 && cells.length < SHEET_LIMITS.maxColumns + 1) {
        cells.push('');
        pendingEmpty--;
      }
      pendingEmpty = 0;
      cells.push(value);
    }
    col++;
  };
  const rowSpans: Array<[number, string, number]> = [];
  let lastSpan: { col: number; span: number; value: string } | undefined;
  for (const cell of children(row)) {
    if (cell.name !== 'table:table-cell' && cell.name !== 'table:covered-table-cell') continue;
    const repeat = Math.max(1, Number(cell.attributes['table:number-columns-repeated'] ?? 1) || 1);
    const covered = cell.name === 'table:covered-table-cell';
    const value = covered ? '' : cellValue(cell);
    const colSpan = Math.max(1, Number(cell.attributes['table:number-columns-spanned'] ?? 1) || 1);
    const rowSpan = Math.max(1, Number(cell.attributes['table:number-rows-spanned'] ?? 1) || 1);
    for (let k = 0; k < repeat && col < SHEET_LIMITS.maxColumns + 1; k++) {
      if (covered) {
        // Covered by a cell of this row (carried left to right) or of a row above (carried down).
        const fromAbove = carried.get(col);
        const fromLeft = lastSpan && col < lastSpan.col + lastSpan.span ? lastSpan.value : '';
        put(fromAbove ? fromAbove.value : fromLeft);
        continue;
      }
      if (value && (colSpan > 1 || rowSpan > 1)) {
        lastSpan = { col, span: colSpan, value };
        if (rowSpan > 1) for (let c = 0; c < colSpan; c++) rowSpans.push([col + c, value, rowSpan]);
      }
      put(value);
    }
    if (repeat > SHEET_LIMITS.maxColumns) break;
  }
  for (const [c, value, span] of rowSpans) carried.set(c, { value, left: span });
  return cells;
}

/** What the cell shows: its paragraphs, else its typed value. */
function cellValue(cell: OdfElement): string {
  const paragraphs = children(cell)
    .filter((c) => c.name === 'text:p' || c.name === 'text:h')
    .map((p) => cleanText(textOf(p)))
    .filter(Boolean);
  if (paragraphs.length) return paragraphs.join(' ');
  const a = cell.attributes;
  const raw =
    a['office:date-value'] ??
    a['office:time-value'] ??
    a['office:boolean-value'] ??
    a['office:value'] ??
    a['office:string-value'];
  if (raw === undefined) return '';
  if (
    a['office:value-type'] === 'float' ||
    a['office:value-type'] === 'currency' ||
    a['office:value-type'] === 'percentage'
  ) {
    const n = Number(raw);
    return Number.isFinite(n)
      ? n.toLocaleString('fr-FR', { useGrouping: false, maximumFractionDigits: 10 })
      : raw;
  }
  return raw;
}
