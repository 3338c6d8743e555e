import type { ChunkHit, LexicalCacheState, LexicalQuery } from '../spec.js';
import { LexicalCache, type LexicalCacheLogger, type LexicalSnapshotSource } from './lexical-cache.js';

export type TermStats = { chunks: number; df: Map<string, number> };

/**
 * The lexical half of a store adapter's SearchRepo: answers from the in-memory copy while it is
 * current, from the store's own query otherwise. Adapters give the source and the two queries.
 */
export abstract class MemoryBackedSearch {
  private readonly memory: LexicalCache;

  constructor(source: LexicalSnapshotSource) {
    this.memory = new LexicalCache(source);
  }

  /** The search answered by the store's own query (the reference the in-memory copy is tested against). */
  abstract storeLexical(q: LexicalQuery): Promise<ChunkHit[]>;

  /** Term statistics from the store itself; `terms` are unique. */
  protected abstract storeTermStats(terms: string[]): Promise<TermStats>;

  warmLexical(log?: LexicalCacheLogger): Promise<boolean> {
    return this.memory.warm(log);
  }

  lexicalCache(): LexicalCacheState {
    return this.memory.describe();
  }

  close(): void {
    this.memory.close();
  }

  async lexical(q: LexicalQuery): Promise<ChunkHit[]> {
    const index = await this.memory.fresh(q.collectionIds);
    return index ? index.search(q) : this.storeLexical(q);
  }

  async termStats(terms: string[]): Promise<TermStats> {
    const unique = [...new Set(terms)].slice(0, 200);
    const index = await this.memory.fresh();
    if (index) return { chunks: index.chunks, df: new Map(unique.map((t) => [t, index.df(t)])) };
    return this.storeTermStats(unique);
  }
}
