/**
 * Situation blocks of a fiche (DILA `BlocCas`/`Cas`, "Si vous êtes…" sections) as they reach the
 * answer: the passages' section paths differ at one level whose labels are situations.
 */
import { splitPath } from './units.js';

/** How French fiches word a situation: "Vous êtes salarié", "Si…", "En Île-de-France", "Cas général". */
export const SITUATION =
  /^(?:vous|si|cas|en|à|au|aux|pour|avant|après|depuis|dans|hors|moins|plus|entre|né|née|naissance|personne|jeune|enfant|salarié|non|autre|lorsque|quand|sans|avec)(?=[\s'’,]|$)/iu;

/** The first level where the paths differ (they share everything above it), or -1. */
export function divergence(paths: string[][]): number {
  if (paths.length < 2) return -1;
  const depth = Math.min(...paths.map((p) => p.length));
  for (let d = 0; d < depth; d++) if (new Set(paths.map((p) => p[d])).size > 1) return d;
  return -1;
}

/**
 * The situations a source's passages are split by: the labels at the level where their paths
 * differ, when they read as situations or share their sub-headings. Empty otherwise.
 */
export function caseLabels(paths: string[][]): string[] {
  const withPath = paths.filter((p) => p.length > 0);
  const depth = divergence(withPath);
  if (depth < 0) return [];
  const byLabel = new Map<string, string>();
  for (const p of withPath) if (!byLabel.has(p[depth])) byLabel.set(p[depth], p.slice(depth + 1).join('›'));
  if (byLabel.size < 2) return [];
  const tails = [...byLabel.values()];
  const sameTails = new Set(tails).size < tails.length && tails.some(Boolean);
  return sameTails || [...byLabel.keys()].every((l) => SITUATION.test(l)) ? [...byLabel.keys()] : [];
}

/** The situation labels of a source's passages ("(a › b) text"). */
export function passageCaseLabels(passages: string[]): string[] {
  return caseLabels(passages.map((p) => splitPath(p).path));
}
