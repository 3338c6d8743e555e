import { describe, expect, it } from 'vitest';
import { groupByDocument, reciprocalRankFusion } from './fuse.js';

const hit = (chunkId: string, documentId: string, score = 1) => ({ chunkId, documentId, score });

describe('fusion and grouping', () => {
  it('ranks a chunk found by both lists above chunks found by one', () => {
    const fused = reciprocalRankFusion(
      [
        [hit('1', 'a'), hit('2', 'b')],
        [hit('3', 'c'), hit('2', 'b')],
      ],
      20,
    );
    expect(fused[0].chunkId).toBe('2');
    expect(fused).toHaveLength(3);
  });

  it('returns k distinct documents with their best passages', () => {
    const groups = groupByDocument(
      [hit('1', 'a', 9), hit('2', 'a', 8), hit('3', 'b', 7), hit('4', 'a', 6), hit('5', 'c', 5)],
      2,
      2,
    );
    expect(groups.map((g) => g.documentId)).toEqual(['a', 'b']);
    expect(groups[0].chunks.map((c) => c.chunkId)).toEqual(['1', '2']);
  });
});

describe('publication score aggregation', () => {
  it('adds a decaying share of the next chunks to the best one', () => {
    const hits = [hit('1', 'a', 10), hit('2', 'b', 9), hit('3', 'b', 8), hit('4', 'b', 8)];
    expect(groupByDocument(hits, 2, 3).map((g) => g.documentId)).toEqual(['a', 'b']);
    const groups = groupByDocument(hits, 2, 3, { decay: 0.5, depth: 2 });
    expect(groups.map((g) => g.documentId)).toEqual(['b', 'a']);
    expect(groups[0].score).toBe(13);
    expect(groups[0].chunks).toHaveLength(3);
  });
});
