/**
 * Reading JSON defensively: find the records (the top-level array, or the largest array of
 * objects inside), render a value as `key : value` lines with dotted keys for nested objects.
 */
import { humanizeLabel } from './blocks.js';

const MAX_DEPTH = 12;
const NAME_KEYS = [
  'nom',
  'name',
  'titre',
  'title',
  'libelle',
  'libellé',
  'label',
  'intitule',
  'intitulé',
  'raison_sociale',
  'service',
];

export interface RecordSet {
  records: Record<string, unknown>[];
  /** Key path of the array inside the document ([] for a top-level array). */
  at: string[];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The largest array made mostly of objects, searched breadth-first down to `MAX_DEPTH`. */
export function findRecords(root: unknown): RecordSet | null {
  let best: RecordSet | null = null;
  const queue: Array<{ value: unknown; at: string[] }> = [{ value: root, at: [] }];
  while (queue.length) {
    const { value, at } = queue.shift()!;
    if (at.length > MAX_DEPTH) continue;
    if (Array.isArray(value)) {
      const records = value.filter(isObject);
      if (
        records.length >= 1 &&
        records.length >= value.length / 2 &&
        records.length > (best?.records.length ?? 0)
      ) {
        best = { records, at };
      }
      if (at.length === 0 && best) return best;
    } else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) queue.push({ value: child, at: [...at, key] });
    }
  }
  return best;
}

/** A record's display name, from its first name-like field. */
export function recordName(record: Record<string, unknown>): string | null {
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (NAME_KEYS.includes(key.toLowerCase()) && (typeof value === 'string' || typeof value === 'number')) {
      const text = String(value).trim();
      if (text) return text;
    }
  }
  return null;
}

/** `key : value` lines; nested objects as `parent.child`, arrays of scalars joined by commas. */
export function renderLines(value: unknown, prefix = '', depth = 0): string[] {
  if (value === null || value === undefined || value === '') return [];
  const label = prefix || 'Valeur';
  if (depth > MAX_DEPTH) return [`${label} : ${JSON.stringify(value).slice(0, 500)}`];
  if (Array.isArray(value)) {
    if (value.every((v) => !isObject(v) && !Array.isArray(v))) {
      const items = value.filter((v) => v !== null && v !== '').map(String);
      return items.length ? [`${label} : ${items.join(', ')}`] : [];
    }
    return value.flatMap((item, i) => renderLines(item, `${label}.${i + 1}`, depth + 1));
  }
  if (isObject(value)) {
    return Object.entries(value).flatMap(([key, child]) =>
      renderLines(child, prefix ? `${prefix}.${humanizeLabel(key)}` : humanizeLabel(key), depth + 1),
    );
  }
  const text = String(value).replace(/\s+/g, ' ').trim();
  return [`${label} : ${typeof value === 'boolean' ? (value ? 'oui' : 'non') : text}`];
}
