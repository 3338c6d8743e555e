/**
 * Search over the national corpus and an organisation's own collections together, with a fair
 * merge. The national corpus has ~7,600 publications, a town a dozen files: on a question that
 * needs both ("renouveler sa CNI ici"), one ranking over everything often fills the top k with
 * national pages. When the first ranking holds no local document, the best local documents are
 * searched on their own and, when they cover the question well enough, take reserved slots.
 * Scores of two searches are not comparable, so the reserved document goes second: after the
 * best publication, before the rest.
 */
import { judgeRelevance } from '../answer/relevance.js';
import { analyze } from '../knowledge/analyze/french.js';
import { EXPANSIONS } from '../knowledge/search/expansions.js';
import type { Collection, Store } from '../store/spec.js';
import { searchKnowledge, type PublicationHit, type SearchKnowledgeOptions } from './search-knowledge.js';

/**
 * Share of the question's information (IDF-weighted terms) a local document must hold to take a
 * reserved slot. Set on the dev questions: the commune's documents reach 0.45+ on the questions
 * they answer, and stay below on national-only questions (eval/rag-dev.jsonl).
 */
export const LOCAL_MIN_COVERAGE = 0.35;

const EXPANDED = new Set(Object.keys(EXPANSIONS).flatMap((k) => analyze(k)));

/** Reserved local slots for k results: 1 up to k = 7, then 2. */
export function localSlots(k: number): number {
  return k >= 8 ? 2 : 1;
}

/** Ids of the built-in (national) collections among these. */
/** The collections of a search scope that exist (read one by one: never every organisation's list). */
export async function scopeCollections(store: Store, ids: string[]): Promise<Collection[]> {
  const found = await Promise.all([...new Set(ids)].map((id) => store.collections.get(id)));
  return found.filter((c): c is Collection => c !== null);
}

export async function builtinIds(store: Store, ids: string[]): Promise<Set<string>> {
  return new Set((await scopeCollections(store, ids)).filter((c) => c.builtin).map((c) => c.id));
}

export async function searchWithLocal(
  o: SearchKnowledgeOptions & { minCoverage?: number },
): Promise<PublicationHit[]> {
  const k = o.k ?? 5;
  const national = await builtinIds(o.store, o.collectionIds);
  const local = o.collectionIds.filter((id) => !national.has(id));
  const merged = await searchKnowledge(o);
  if (national.size === 0 || local.length === 0 || merged.length < 2) return merged;
  const slots = Math.min(localSlots(k), k - 1);
  const already = merged.filter((h) => !national.has(h.collectionId)).length;
  if (already >= slots) return merged;

  // A question naming something no document knows (another town, a bus line) is not about this
  // organisation's documents: no reserved slot (they would only add an off-topic source).
  // Counter vocabulary (RDV, CNI…) is known through its expansion, not by itself. Known within the
  // search scope: another organisation's documents neither grant nor withhold the slot.
  const terms = [...new Set(analyze(o.query))].filter((t) => !EXPANDED.has(t));
  const { df } = await o.store.search.termStats(terms, o.collectionIds);
  if (terms.some((t) => !df.get(t))) return merged;

  const shown = new Set(merged.map((h) => h.id));
  const candidates = (await searchKnowledge({ ...o, collectionIds: local, k: slots })).filter(
    (h) => !shown.has(h.id),
  );
  const reserved: PublicationHit[] = [];
  for (const hit of candidates) {
    if (reserved.length + already >= slots) break;
    const { coverage } = await judgeRelevance(o.store, o.query, [hit], undefined, o.collectionIds);
    if (coverage >= (o.minCoverage ?? LOCAL_MIN_COVERAGE)) reserved.push(hit);
  }
  if (reserved.length === 0) return merged;
  // Drop the last national hits to make room; local hits of the first ranking keep their place.
  const out = [...merged];
  for (let i = out.length - 1; i >= 0 && out.length + reserved.length > k; i--) {
    if (national.has(out[i].collectionId)) out.splice(i, 1);
  }
  out.splice(1, 0, ...reserved);
  return out.slice(0, k);
}
