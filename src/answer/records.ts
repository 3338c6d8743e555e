/**
 * Record sets (a CSV table, a JSON list) answer by their rows: "QF 820" is in the row "701 à 950",
 * which no search term finds. For a record set among the hits, the records whose brackets hold a
 * number of the question are added to its passages (first), so that every answer path sees them.
 */
import type { Store } from '../store/spec.js';
import type { PublicationHit } from '../usecases/search-knowledge.js';
import { numbersIn, rangesIn } from './extract/intent.js';

/** Above this many records the document is not read whole for one question. */
const MAX_RECORDS = 5000;
const ADDED = 2;

/** A CSV row ("Champ : valeur ; Champ : valeur ; …") or a JSON object ("Champ : valeur" lines). */
export function isRecordText(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines.length === 1)
    return (text.match(/ ; /g) ?? []).length >= 2 && (text.match(/ : /g) ?? []).length >= 3;
  return lines.length >= 3 && lines.every((l) => /^\p{Lu}[\p{L}\d _'’()/-]{0,40}? : \S/u.test(l.trim()));
}

export async function withMatchingRecords(
  store: Store,
  hits: PublicationHit[],
  question: string,
): Promise<PublicationHit[]> {
  const numbers = numbersIn(question);
  if (numbers.length === 0) return hits;
  return Promise.all(
    hits.map(async (hit) => {
      if (!hit.passages.some((p) => isRecordText(p.text))) return hit;
      const chunks = await store.documents.chunks(hit.id);
      if (chunks.length > MAX_RECORDS) return hit;
      const have = new Set(hit.passages.map((p) => p.chunkId));
      const holds = (text: string) =>
        rangesIn(text).some(([lo, hi]) => numbers.some((n) => n >= lo && n <= hi));
      const added = chunks
        .filter((c) => !have.has(c.id) && isRecordText(c.text) && holds(c.text))
        .slice(0, ADDED)
        .map((c) => ({ chunkId: c.id, path: c.path, text: c.text, score: hit.passages[0]?.score ?? 0 }));
      return added.length ? { ...hit, passages: [...added, ...hit.passages] } : hit;
    }),
  );
}
