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

/** Groups chunk hits by document, best document first; each keeps its best chunks in order. */
export function groupByDocument(hits: ChunkHit[], k: number, passagesPerDocument: number): GroupedHit[] {
  const groups = new Map<string, GroupedHit>();
  for (const hit of hits) {
    const g = groups.get(hit.documentId);
    if (!g) groups.set(hit.documentId, { documentId: hit.documentId, score: hit.score, chunks: [hit] });
    else if (g.chunks.length < passagesPerDocument) g.chunks.push(hit);
  }
  return [...groups.values()].sort((a, b) => b.score - a.score).slice(0, k);
}
