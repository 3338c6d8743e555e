import type { LexicalCacheState } from '../spec.js';
import { MemoryIndexBuilder, MemoryLexicalIndex } from './memory-index.js';

/** What a store adapter gives the in-memory index: its lexical version and a consistent snapshot. */
export interface LexicalSnapshotSource {
  /**
   * The store's lexical version: changes with every write to the lexical index (a counter kept by
   * the database itself, so writes of other processes and replicas are seen too). Must be cheap.
   */
  version(): Promise<string>;
  /**
   * Feeds every chunk of one consistent state of the index to the builder, yielding to the event
   * loop now and then; returns that state's version, or null when it changed while being read.
   */
  load(builder: MemoryIndexBuilder): Promise<string | null>;
  /**
   * What changed since `since`, read from the store's change log in one consistent state: the chunks
   * added since then (still present) are fed to the builder, the rowids of those deleted since then
   * are returned with the state's version. Null when the log no longer reaches back to `since`, or
   * when more than `max` chunks changed: a full load is then due.
   */
  changes?(
    since: string,
    builder: MemoryIndexBuilder,
    max: number,
  ): Promise<{ version: string; removed: number[] } | null>;
  /**
   * What changed since `since`, lightly: the collections of the chunks added since then (still
   * present) and the rowids deleted since then, with the state's version. Null as for `changes`.
   */
  changedCollections?(
    since: string,
    max: number,
  ): Promise<{ version: string; collections: string[]; removed: number[] } | null>;
}

/** Beyond this many changed chunks, a full load is cheaper than merging (and does not block). */
export const MAX_MERGED_CHANGES = 4000;

export interface LexicalCacheLogger {
  info?(message: string): void;
  warn(message: string): void;
}

/**
 * A stale copy is rebuilt once the store's version has stood still this long: during an ingestion
 * (thousands of writes) the store answers, instead of rebuilding a copy that is stale at once.
 */
const QUIET_MS = 500;

/**
 * The in-memory lexical index of one process, kept in step with the store: a search uses it only
 * when its version is the store's current one; otherwise the search is answered by the store's own
 * query (same ranking, slower) while a fresh copy is built in the background. Off until `warm()`:
 * a one-shot CLI command never pays for building it.
 */
export class LexicalCache {
  private index: MemoryLexicalIndex | null = null;
  private building: Promise<boolean> | null = null;
  private enabled = false;
  /** The last version check found the copy behind the store (cleared by the next successful build). */
  private stale = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  /** Set by a build that could not finish: the version it saw (null: unknown), to retry once quiet. */
  private retryFrom: string | null | undefined;

  private log?: LexicalCacheLogger;
  /** The last answer of `changedCollections`, for the copy's version and the store's. */
  private changed: { key: string; value: Promise<Set<string> | null> } | null = null;
  /** Copies built from a full load, and copies updated from the change log. */
  private loads = 0;
  private merges = 0;

  constructor(private readonly source: LexicalSnapshotSource) {}

  /** Turns the cache on and builds it; resolves true once a current copy is ready. */
  warm(log?: LexicalCacheLogger): Promise<boolean> {
    this.log = log ?? this.log;
    this.enabled = true;
    return this.rebuild();
  }

  /**
   * The in-memory index if it matches the store's current version, else null (rebuild started).
   * With a search scope: a copy behind the store still answers when no chunk of the scope's
   * collections changed since its version, BM25 statistics being the scope's (bm25.ts): another
   * organisation's upload does not send this organisation's searches to the slower store query.
   */
  async fresh(scope?: readonly string[]): Promise<MemoryLexicalIndex | null> {
    if (!this.enabled || this.closed) return null;
    const version = await this.source.version();
    const index = this.index;
    if (index && index.version === version) return index;
    this.stale = true;
    this.rebuildWhenQuiet(version);
    if (!index || !scope) return null;
    const changed = await this.changedCollections(index, version);
    return changed && !scope.some((c) => changed.has(c)) ? index : null;
  }

  /** Collections changed between a copy's version and `version` (null: unknown), remembered per pair. */
  private changedCollections(index: MemoryLexicalIndex, version: string): Promise<Set<string> | null> {
    const key = `${index.version} ${version}`;
    if (this.changed?.key !== key) {
      const read = async (): Promise<Set<string> | null> => {
        const delta = await this.source.changedCollections?.(index.version, MAX_MERGED_CHANGES);
        if (!delta) return null;
        return new Set([...delta.collections, ...index.collectionsOf(delta.removed)]);
      };
      this.changed = { key, value: read().catch(() => null) };
    }
    return this.changed.value;
  }

  /** State of the copy as last seen (ready: built and not known to be behind the store). */
  describe(): LexicalCacheState {
    return {
      ready: this.index !== null && !this.stale,
      chunks: this.index?.chunks ?? 0,
      postings: this.index?.postings ?? 0,
      loads: this.loads,
      merges: this.merges,
    };
  }

  close(): void {
    this.closed = true;
    this.index = null;
    if (this.timer) clearTimeout(this.timer);
  }

  private rebuild(): Promise<boolean> {
    this.building ??= this.build().finally(() => {
      this.building = null;
      const seen = this.retryFrom;
      this.retryFrom = undefined;
      if (seen !== undefined) this.rebuildWhenQuiet(seen);
    });
    return this.building;
  }

  private async build(): Promise<boolean> {
    if (this.closed) return false;
    const started = performance.now();
    if (await this.mergeChanges(started)) return true;
    if (this.closed) return false;
    let next: MemoryLexicalIndex;
    try {
      const builder = new MemoryIndexBuilder();
      const version = await this.source.load(builder);
      if (version === null) {
        this.retryFrom = await this.source.version();
        return false;
      }
      if (!builder.exact) {
        this.log?.warn(
          "Index lexical en mémoire non utilisé : une valeur dépasse ce qu'il sait représenter ; la recherche interroge la base.",
        );
        this.enabled = false;
        return false;
      }
      next = await builder.finishAsync(version);
    } catch (e) {
      if (this.closed) return false;
      this.log?.warn(
        `Index lexical en mémoire non construit (${(e as Error).message}) : la recherche interroge la base, nouvel essai plus tard.`,
      );
      this.retryFrom = null;
      return false;
    }
    if (this.closed) return false;
    this.index = next;
    this.stale = false;
    this.loads++;
    this.log?.info?.(
      `Index lexical en mémoire prêt : ${next.chunks} passages, ${next.postings} entrées, en ${Math.round(performance.now() - started)} ms.`,
    );
    // A write may have landed between the load and now: the next search checks the version again.
    return true;
  }

  /**
   * Brings the current copy up to date from the store's change log, when there is a copy, the
   * store keeps a log and few chunks changed. False: a full load is needed.
   */
  private async mergeChanges(started: number): Promise<boolean> {
    const base = this.index;
    if (!base || !this.source.changes) return false;
    try {
      const added = new MemoryIndexBuilder();
      const delta = await this.source.changes(base.version, added, MAX_MERGED_CHANGES);
      if (!delta || !added.exact || this.closed) return false;
      if (delta.version === base.version) {
        this.stale = false;
        return true;
      }
      const merged = await base.mergeAsync(new Set(delta.removed), added, delta.version);
      if (this.closed) return false;
      this.index = merged;
      this.stale = false;
      this.merges++;
      this.log?.info?.(
        `Index lexical en mémoire mis à jour : +${added.size} / −${delta.removed.length} passages en ${Math.round(performance.now() - started)} ms.`,
      );
      return true;
    } catch (e) {
      if (this.closed) return false;
      this.log?.warn(
        `Mise à jour de l'index lexical en mémoire impossible (${(e as Error).message}) : rechargement complet.`,
      );
      return false;
    }
  }

  /** Rebuilds once the version read now (null: unknown) is still the store's after a quiet pause. */
  private rebuildWhenQuiet(seen: string | null): void {
    if (this.closed || this.timer || this.building) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.source.version().then(
        (now) => (now === seen ? void this.rebuild() : this.rebuildWhenQuiet(now)),
        () => this.rebuildWhenQuiet(null),
      );
    }, QUIET_MS);
    this.timer.unref();
  }
}

/** Lets the event loop serve other work between two pages of a long load. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * For a long synchronous loop: call the result after each step; once `ms` of work have passed
 * since the last turn, it lets the event loop serve other work.
 */
export function timeSlicer(ms: number): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since <= ms) return;
    await yieldToEventLoop();
    since = performance.now();
  };
}
