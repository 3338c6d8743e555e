import type { ChunkHit } from '../../store/spec.js';

/** Reciprocal rank fusion of ranked lists: score = Σ 1 / (k + rank). */
export function reciprocalRankFusion(lists: ChunkHit[][], k: number): ChunkHit[] {
  const fused = new Map<string, ChunkHit>();
  for (const list of lists) {
    list.forEach((hit, rank) => {
      const add = 1 / (k + rank + 1);
      const current = fused.get(hit.chunkId);
      if (current) current.score += add;
      else fused.set(hit.chunkId, { ...hit, score: add });
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score);
}

export interface GroupedHit {
  documentId: string;
  score: number;
  chunks: ChunkHit[];
}

/**
 * How chunk scores make a publication's score: its best chunk, plus `decay` times the second,
 * `decay`² times the third… up to `depth` chunks. A publication that answers in several places
 * gains a little over one that matches once; `{ decay: 0, depth: 1 }` is the plain maximum.
 */
export interface Aggregation {
  decay: number;
  depth: number;
}

export const MAX_ONLY: Aggregation = { decay: 0, depth: 1 };

/**
 * Groups chunk hits by document, best document first; each keeps its best chunks in order.
 * `k` bounds the number of documents returned (all when `Infinity`).
 */
export function groupByDocument(
  hits: ChunkHit[],
  k: number,
  passagesPerDocument: number,
  aggregation: Aggregation = MAX_ONLY,
): GroupedHit[] {
  const groups = new Map<string, GroupedHit & { n: number; weight: number }>();
  for (const hit of [...hits].sort((a, b) => b.score - a.score)) {
    const g = groups.get(hit.documentId);
    if (!g) {
      groups.set(hit.documentId, {
        documentId: hit.documentId,
        score: hit.score,
        chunks: [hit],
        n: 1,
        weight: aggregation.decay,
      });
      continue;
    }
    if (g.n < aggregation.depth) {
      g.score += g.weight * hit.score;
      g.weight *= aggregation.decay;
    }
    g.n++;
    if (g.chunks.length < passagesPerDocument) g.chunks.push(hit);
  }
  return [...groups.values()]
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map(({ documentId, score, chunks }) => ({ documentId, score, chunks }));
}

/**
 * Ranked lists of items with ids (publications of several queries) fused by reciprocal rank; the
 * first list wins ties, and each item is kept as its first list gave it.
 */
export function fuseRankedLists<T extends { id: string }>(lists: T[][], limit: number, k = 60): T[] {
  const fused = new Map<string, { item: T; score: number; first: number }>();
  lists.forEach((list, li) =>
    list.forEach((item, rank) => {
      const add = 1 / (k + rank + 1);
      const f = fused.get(item.id);
      if (f) f.score += add;
      else fused.set(item.id, { item, score: add, first: li * 1000 + rank });
    }),
  );
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.first - b.first)
    .slice(0, limit)
    .map((f) => f.item);
}
