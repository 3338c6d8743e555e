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

  /** Term statistics from the store itself (over the whole index, or a scope); `terms` are unique. */
  protected abstract storeTermStats(terms: string[], collectionIds?: string[]): Promise<TermStats>;

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

  /**
   * Documents with at least one chunk in these collections, from the in-memory copy when it is
   * current for them; null otherwise (the adapter counts in the store).
   */
  protected async memoryScopeDocuments(collectionIds: string[]): Promise<number | null> {
    const index = await this.memory.fresh(collectionIds);
    return index ? index.documentsIn(collectionIds) : null;
  }

  async termStats(terms: string[], collectionIds?: string[]): Promise<TermStats> {
    const unique = [...new Set(terms)].slice(0, 200);
    // Scoped: a copy behind the store still answers when nothing changed in the scope.
    const index = await this.memory.fresh(collectionIds);
    if (index) {
      if (collectionIds) return index.scopeTermStats(unique, collectionIds);
      return { chunks: index.chunks, df: new Map(unique.map((t) => [t, index.df(t)])) };
    }
    return this.storeTermStats(unique, collectionIds);
  }
}
