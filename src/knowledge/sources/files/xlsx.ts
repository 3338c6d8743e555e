/**
 * XLSX (Excel) via exceljs: each sheet's rows become records with their header labels, like CSV
 * (sheet-records.ts). The archive goes through the zip-bomb guard first, and its rows are counted
 * in the sheet XML before exceljs builds anything, so a 100,000-row workbook is refused cheaply.
 * Formulas give their last computed value, merged cells the value of their top-left cell.
 */
import { AppError } from '../../../shared/errors.js';
import { sheetsToParsed, SHEET_LIMITS, tooManyRows, type Sheet } from './sheet-records.js';
import type { Parser } from './spec.js';
import { inflateArchiveSafely } from './zip-guard.js';

type ExcelCell = { value: unknown; numFmt?: string; isMerged?: boolean };

export const xlsxParser: Parser = {
  format: 'xlsx',
  async parse({ bytes, fileName }) {
    const entries = inflateArchiveSafely(bytes, fileName);
    if (!entries.has('xl/workbook.xml')) {
      throw new AppError(
        'unprocessable',
        `Le fichier « ${fileName} » n'est pas un classeur Excel valide (xl/workbook.xml absent).`,
      );
    }
    let declaredRows = 0;
    let sheetCount = 0;
    for (const [name, data] of entries) {
      if (!/^xl\/worksheets\/[^/]+\.xml$/.test(name)) continue;
      sheetCount++;
      declaredRows += data.toString('latin1').match(/<(?:\w+:)?row[\s>/]/g)?.length ?? 0;
    }
    if (declaredRows > SHEET_LIMITS.maxRows + sheetCount)
      throw tooManyRows(fileName, declaredRows - sheetCount);

    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.Workbook();
    try {
      await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    } catch (cause) {
      throw new AppError(
        'unprocessable',
        `Le classeur Excel « ${fileName} » est endommagé : il ne peut pas être lu.`,
        { cause },
      );
    }
    const sheets: Sheet[] = [];
    const warnings: string[] = [];
    for (const ws of workbook.worksheets) {
      if (ws.state === 'veryHidden') continue;
      const rows: string[][] = [];
      ws.eachRow({ includeEmpty: false }, (row) => {
        const cells: string[] = [];
        row.eachCell({ includeEmpty: true }, (cell, col) => {
          if (col > SHEET_LIMITS.maxColumns + 1) return;
          cells[col - 1] = cellText(cell as unknown as ExcelCell);
        });
        rows.push(Array.from(cells, (c) => c ?? ''));
      });
      sheets.push({ name: ws.name, rows });
    }
    const title = workbook.title?.trim() || undefined;
    return sheetsToParsed(sheets, fileName, { properties: { title: title ?? null } }, warnings, title);
  },
};

/** The value a person sees in the cell, French style (decimal comma, dd/mm/yyyy). */
export function cellText(cell: ExcelCell): string {
  return valueText(cell.value, cell.numFmt ?? '');
}

function valueText(value: unknown, numFmt: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'VRAI' : 'FAUX';
  if (typeof value === 'number') return numberText(value, numFmt);
  if (value instanceof Date) return dateText(value);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText))
      return (v.richText as Array<{ text?: unknown }>).map((r) => String(r.text ?? '')).join('');
    if ('result' in v || 'formula' in v || 'sharedFormula' in v) return valueText(v.result, numFmt);
    if (typeof v.error === 'string') return v.error;
    if ('text' in v) return valueText(v.text, numFmt);
  }
  return '';
}

function numberText(n: number, numFmt: string): string {
  if (!Number.isFinite(n)) return String(n);
  const percent = /%/.test(numFmt);
  const decimals = /0\.(0+)/.exec(numFmt)?.[1].length;
  const value = percent ? n * 100 : n;
  const text = value.toLocaleString('fr-FR', {
    useGrouping: false,
    minimumFractionDigits: decimals ?? 0,
    maximumFractionDigits: decimals ?? 10,
  });
  return percent ? `${text} %` : /€/.test(numFmt) ? `${text} €` : text;
}

function dateText(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const pad = (x: number) => String(x).padStart(2, '0');
  const day = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  const time =
    d.getUTCHours() || d.getUTCMinutes() ? ` ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : '';
  return day + time;
}
