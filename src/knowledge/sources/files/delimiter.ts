/**
 * CSV recognition: a delimiter (`;`, tab or `,`) whose count, outside quotes, is the same on every
 * sampled record (at least two records, at least one delimiter each). `lenient` (a file named
 * .csv/.tsv) accepts a few ragged records: 80 % of them matching the header's count.
 */
export type Delimiter = ';' | '\t' | ',';

const CANDIDATES: Delimiter[] = [';', '\t', ','];
const SAMPLE_RECORDS = 50;

export function detectDelimiter(text: string, lenient = false): Delimiter | null {
  const sample = text.slice(0, 64 * 1024);
  for (const delimiter of CANDIDATES) {
    const counts = countPerRecord(sample, delimiter, sample.length < text.length);
    if (counts.length < 2) continue;
    if (delimiter === ',' && counts.length < 3) continue;
    const same = counts.filter((c) => c === counts[0]).length;
    if (counts[0] >= 1 && (same === counts.length || (lenient && same >= counts.length * 0.8)))
      return delimiter;
  }
  return null;
}

/** Delimiter counts per non-empty record, quote-aware; drops a last record cut by the sample. */
function countPerRecord(text: string, delimiter: string, truncated: boolean): number[] {
  const counts: number[] = [];
  let inQuotes = false;
  let count = 0;
  let empty = true;
  for (let i = 0; i < text.length && counts.length < SAMPLE_RECORDS; i++) {
    const c = text[i];
    if (c === '"') {
      if (inQuotes && text[i + 1] === '"') i++;
      else inQuotes = !inQuotes;
      empty = false;
    } else if (!inQuotes && c === '\n') {
      if (!empty) counts.push(count);
      count = 0;
      empty = true;
    } else if (!inQuotes && c === delimiter) {
      count++;
      empty = false;
    } else if (c.trim() !== '') {
      empty = false;
    }
  }
  if (!empty && !truncated && counts.length < SAMPLE_RECORDS) counts.push(count);
  return counts;
}
