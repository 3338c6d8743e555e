import { currentOfficialUrl, isStale } from '../knowledge/freshness.js';
import type { PublicationHit } from '../usecases/search-knowledge.js';

/** A source older than this is stale unless the configuration says otherwise (knowledge.stale_after_months). */
export const DEFAULT_STALE_AFTER_MONTHS = 12;

/** A numbered source given to the model and returned to the caller as a citation. */
export interface Source {
  index: number;
  id: string;
  externalId: string;
  title: string;
  url: string | null;
  collection: string;
  collectionName: string;
  local: boolean;
  date: string | null;
  /** Older than the configured age: an answer resting on it says so. */
  stale: boolean;
  passages: string[];
  /** Read by OCR: cited as « texte reconnu automatiquement (OCR) ». */
  ocr?: boolean;
}

export interface Citation {
  index: number;
  /** Fiche id (F33667) for the national corpus, the file name for a local document. */
  id: string;
  /** The stored document (`GET /v1/documents/{id}`). */
  document_id: string;
  title: string;
  url: string | null;
  collection: string;
  collection_name: string;
  local: boolean;
  /** The publication's last modification date (`YYYY-MM-DD`), when known. */
  date: string | null;
  /** True when that date is older than the configured age (12 months by default). */
  stale: boolean;
  snippet: string;
  cited: boolean;
  /** The passage was read by OCR from a scan or an image (« texte reconnu automatiquement (OCR) »). */
  ocr: boolean;
}

export function toSources(
  hits: PublicationHit[],
  collectionNames: Map<string, string>,
  nationalIds: Set<string>,
  staleAfterMonths = DEFAULT_STALE_AFTER_MONTHS,
  now = new Date(),
): Source[] {
  return hits.map((h, i) => ({
    index: i + 1,
    id: h.id,
    externalId: h.externalId,
    title: h.title,
    url: currentOfficialUrl(h.url),
    collection: h.collectionId,
    collectionName: collectionNames.get(h.collectionId) ?? h.collectionId,
    local: !nationalIds.has(h.collectionId),
    date: h.date,
    stale: isStale(h.date, staleAfterMonths, now),
    passages: h.passages.map((p) => (p.path.length ? `(${p.path.join(' › ')}) ${p.text}` : p.text)),
    ocr: h.ocr ?? false,
  }));
}

/** Indexes of the sources the text cites as [n] (also [1][2] and [1, 2]). */
export function citedIndexes(text: string, max: number): Set<number> {
  const cited = new Set<number>();
  for (const m of text.matchAll(/\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]/g)) {
    for (const n of m[1].split(/[,;]/).map((x) => Number(x.trim()))) if (n >= 1 && n <= max) cited.add(n);
  }
  return cited;
}

/** A passage as plain text for a citation: no Markdown link targets, emphasis or table rules. */
export function plainSnippet(markdown: string, max = 300): string {
  const text = markdown
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/[*_`#>]+/g, '')
    .replace(/\|\s*:?-{3,}:?\s*/g, '')
    .replace(/\s*\|\s*/g, ' ; ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max).replace(/\s+\S*$/, '')}…` : text;
}

export function toCitations(sources: Source[], answer: string): Citation[] {
  const cited = citedIndexes(answer, sources.length);
  return sources.map((s) => ({
    index: s.index,
    id: s.externalId,
    document_id: s.id,
    title: s.title,
    url: s.url,
    collection: s.collection,
    collection_name: s.collectionName,
    local: s.local,
    date: s.date,
    stale: s.stale,
    snippet: plainSnippet(s.passages[0] ?? ''),
    cited: cited.has(s.index),
    ocr: s.ocr ?? false,
  }));
}
