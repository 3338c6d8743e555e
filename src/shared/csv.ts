/**
 * CSV for spreadsheets set to French: UTF-8 with a BOM, « ; » between cells, CRLF between lines,
 * quotes where needed (a « ; », a quote or a line break: a comma is no separator here), and a cell starting with =, +, - or @ neutralised (read as a formula
 * otherwise: CSV injection).
 */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[";\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: string[][]): string {
  return '\uFEFF' + rows.map((r) => r.map(csvCell).join(';')).join('\r\n') + '\r\n';
}
