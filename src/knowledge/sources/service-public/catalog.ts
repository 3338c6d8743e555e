/**
 * Shared by the folder and zip readers: which file names are publications, which audience a path
 * names, and how duplicates of one id (the same fiche filed under two audiences) collapse to one.
 */
import type { Audience } from '../../model.js';
import { toAudience } from './links.js';

export const AUDIENCE_ORDER: Audience[] = ['particuliers', 'professionnels', 'associations'];
const PUBLICATION_FILE = /^([FNR]\d+)\.(xml|json)$/i;

export interface CatalogEntry<T> {
  id: string;
  format: 'xml' | 'xml-js';
  /** Audience named by a folder of the path, if any. */
  audience: Audience | null;
  ref: T;
}

/** Parses a path into a catalog entry; null for files that are not publications. */
export function classify<T>(path: string, ref: T): CatalogEntry<T> | null {
  const parts = path.split(/[\\/]/);
  const m = PUBLICATION_FILE.exec(parts.at(-1) ?? '');
  if (!m) return null;
  let audience: Audience | null = null;
  for (const p of parts.slice(0, -1)) audience = toAudience(p) ?? audience;
  return { id: m[1].toUpperCase(), format: m[2].toLowerCase() === 'xml' ? 'xml' : 'xml-js', audience, ref };
}

export interface Chosen<T> {
  entry: CatalogEntry<T>;
  audiences: Audience[];
}

function rank(a: Audience | null): number {
  return a === null ? AUDIENCE_ORDER.length : AUDIENCE_ORDER.indexOf(a);
}

/** One entry per id: the first of particuliers > professionnels > associations; every audience kept. */
export function dedupe<T>(entries: CatalogEntry<T>[]): Chosen<T>[] {
  const byId = new Map<string, CatalogEntry<T>[]>();
  for (const e of entries) {
    const list = byId.get(e.id);
    if (list) list.push(e);
    else byId.set(e.id, [e]);
  }
  const out: Chosen<T>[] = [];
  for (const list of byId.values()) {
    list.sort((a, b) => rank(a.audience) - rank(b.audience));
    const audiences = AUDIENCE_ORDER.filter((a) => list.some((e) => e.audience === a));
    out.push({ entry: list[0], audiences });
  }
  return out;
}

const AUDIENCE_TAG = /<Audience>\s*([^<]+?)\s*<\/Audience>/g;

/** Audiences an XML publication declares (`<Audience>` elements), for sources without folders. */
export function sniffAudiences(bytes: Buffer): Audience[] {
  const head = bytes.subarray(0, 8192).toString('utf8');
  const found = new Set<Audience>();
  for (const m of head.matchAll(AUDIENCE_TAG)) {
    const a = toAudience(m[1]);
    if (a) found.add(a);
  }
  return AUDIENCE_ORDER.filter((a) => found.has(a));
}
