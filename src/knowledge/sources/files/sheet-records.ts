/**
 * Spreadsheets (XLSX, ODS) as records, like CSV: in each sheet the first non-empty row gives the
 * column labels, every other row becomes one atomic section `Label : value ; …`. The sheet name is
 * part of the path when the workbook has several sheets. A row limit keeps a huge workbook from
 * flooding the index: beyond it the file is refused with a clear French message.
 */
import { AppError } from '../../../shared/errors.js';
import type { Section } from '../../model.js';
import { humanizeLabel, renderTable, titleFromFileName } from './blocks.js';
import type { ParsedFile } from './spec.js';

export const SHEET_LIMITS = {
  /** Data rows over the whole workbook. */
  maxRows: 50_000,
  /** Columns kept per row (the rest is ignored with a warning). */
  maxColumns: 512,
};

export interface Sheet {
  name: string;
  /** Cell texts, row by row (empty strings for empty cells). */
  rows: string[][];
}

export function tooManyRows(fileName: string, rows: number): AppError {
  const n = (v: number) => v.toLocaleString('fr-FR');
  return new AppError(
    'unprocessable',
    `Le classeur « ${fileName} » compte ${n(rows)} lignes ou plus : la limite est de ${n(SHEET_LIMITS.maxRows)} lignes par fichier. Découpez-le en plusieurs fichiers ou n'exportez que la partie utile.`,
  );
}

export function sheetsToParsed(
  sheets: Sheet[],
  fileName: string,
  metadata: Record<string, unknown>,
  warnings: string[] = [],
  title = titleFromFileName(fileName),
): ParsedFile {
  const withData = sheets
    .map((s) => ({ name: s.name, rows: s.rows.filter((r) => r.some((c) => c.trim() !== '')) }))
    .filter((s) => s.rows.length > 0);
  const total = withData.reduce((n, s) => n + Math.max(0, s.rows.length - 1), 0);
  if (total > SHEET_LIMITS.maxRows) throw tooManyRows(fileName, total);
  const several = withData.length > 1;
  const sections: Section[] = [];
  const parts: string[] = [`# ${title}`];
  for (const sheet of withData) {
    const [rawHeader, ...rows] = sheet.rows;
    const width = Math.max(...sheet.rows.map((r) => r.length));
    if (width > SHEET_LIMITS.maxColumns) {
      warnings.push(
        `Feuille « ${sheet.name} » : seules les ${SHEET_LIMITS.maxColumns} premières colonnes ont été lues.`,
      );
    }
    const header = rawHeader
      .slice(0, SHEET_LIMITS.maxColumns)
      .map((h, i) => humanizeLabel(h) || `Colonne ${i + 1}`);
    const path = several ? [title, sheet.name] : [title];
    for (const row of rows) {
      const markdown = renderRecord(header, row.slice(0, SHEET_LIMITS.maxColumns));
      if (markdown) sections.push({ path, markdown, atomic: true });
    }
    if (several) parts.push(`## ${sheet.name}`);
    parts.push(
      renderTable(
        header,
        rows.map((r) => r.slice(0, SHEET_LIMITS.maxColumns)),
      ),
    );
  }
  if (!sections.length && withData.length) {
    // A sheet of one row (labels only, or a single line of text) is still text worth keeping.
    for (const sheet of withData) {
      const text = sheet.rows[0].filter((c) => c.trim()).join(' ; ');
      sections.push({ path: several ? [title, sheet.name] : [title], markdown: text, atomic: true });
    }
  }
  if (!withData.length) warnings.push('Le classeur ne contient aucune cellule remplie.');
  return {
    title,
    markdown: parts.join('\n\n') + '\n',
    sections,
    warnings,
    metadata: {
      ...metadata,
      sheets: withData.map((s) => ({ name: s.name, rows: Math.max(0, s.rows.length - 1) })),
      rows: total,
    },
  };
}

function renderRecord(header: string[], row: string[]): string {
  return row
    .map((value, i) => [header[i] ?? `Colonne ${i + 1}`, value.replace(/\s+/g, ' ').trim()] as const)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name} : ${value}`)
    .join(' ; ');
}
