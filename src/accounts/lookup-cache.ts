/**
 * Short-lived memory of the account lookups every /v1 request makes (verified API keys, stored
 * quota limits, organisations), so that the hot path does not query the store each time.
 *
 * Freshness: an entry lives `ttlMs` at most. Any change to keys, quotas or organisations made in
 * this process goes through a store adapter, which calls `accountsChanged()`: every entry of every
 * cache is then stale at once (revocation and new limits apply to the very next request). A change
 * made by another process (another replica, the CLI) applies within `ttlMs`.
 */

let generation = 0;

/** Called by the store adapters after a change to keys, quotas or organisations. */
export function accountsChanged(): void {
  generation++;
}

/** The current generation: read it before the store read whose result will be cached. */
export function accountsGeneration(): number {
  return generation;
}

interface Entry<V> {
  value: V;
  until: number;
  generation: number;
}

export class LookupCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached value, or undefined when absent, expired or older than the last change. */
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= performance.now() || e.generation !== generation) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** `readAt`: the generation read before the store was queried (a change since makes it stale). */
  set(key: string, value: V, readAt: number): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until: performance.now() + this.ttlMs, generation: readAt });
  }
}

const owners = new WeakMap<object, Map<string, LookupCache<unknown>>>();

/** The cache named `name` of one store (caches are never shared between stores). */
export function lookupCache<V>(store: object, name: string, ttlMs: number): LookupCache<V> {
  let named = owners.get(store);
  if (!named) owners.set(store, (named = new Map()));
  let cache = named.get(name);
  if (!cache) named.set(name, (cache = new LookupCache<unknown>(ttlMs)));
  return cache as LookupCache<V>;
}
