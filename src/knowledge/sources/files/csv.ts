/**
 * CSV (`;`, tab or `,`; UTF-8 or Windows-1252): each row becomes an atomic section with its column
 * labels, e.g. `Quotient familial : 701 à 950 ; Repas élémentaire : 2,90`. Values are kept as
 * written (decimal commas included). The `markdown` is the whole table.
 */
import { parse } from 'csv-parse/sync';
import { AppError } from '../../../shared/errors.js';
import type { Section } from '../../model.js';
import { humanizeLabel, renderTable, titleFromFileName } from './blocks.js';
import { decodeText } from './decode.js';
import { detectDelimiter } from './delimiter.js';
import type { Parser } from './spec.js';

export const csvParser: Parser = {
  format: 'csv',
  async parse({ bytes, fileName }) {
    const { text, encoding } = decodeText(bytes, fileName);
    const delimiter = detectDelimiter(text, true) ?? ';';
    let records: string[][];
    try {
      records = parse(text, {
        delimiter,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
        bom: true,
      });
    } catch (cause) {
      throw new AppError(
        'unprocessable',
        `Le fichier CSV « ${fileName} » est mal formé : ${(cause as Error).message}`,
        { cause },
      );
    }
    const [rawHeader = [], ...rows] = records.filter((r) => r.some((c) => c.trim() !== ''));
    const header = rawHeader.map((h, i) => humanizeLabel(h) || `Colonne ${i + 1}`);
    const title = titleFromFileName(fileName);
    const warnings: string[] = [];
    const width = header.length;
    const ragged = rows.filter((r) => r.length !== width).length;
    if (ragged)
      warnings.push(`${ragged} ligne(s) n'ont pas le même nombre de colonnes que l'en-tête (${width}).`);
    const sections: Section[] = rows.map((row) => ({
      path: [title],
      markdown: renderRow(header, row),
      atomic: true,
    }));
    return {
      title,
      markdown: `# ${title}\n\n${renderTable(header, rows)}\n`,
      sections,
      warnings,
      metadata: { encoding, delimiter, columns: rawHeader, rows: rows.length },
    };
  },
};

function renderRow(header: string[], row: string[]): string {
  return row
    .map((value, i) => [header[i] ?? `Colonne ${i + 1}`, value.replace(/\s+/g, ' ').trim()] as const)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name} : ${value}`)
    .join(' ; ');
}
