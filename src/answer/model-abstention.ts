/**
 * "No source" judged by the generative model itself (`answers.model_abstention`): told to reply with
 * a marker alone when none of its sources answers, it is caught before anything is shown — at the
 * start of the answer, streamed or not — and the answer becomes the same fixed sentence as the
 * abstention decided before any model call. A marker rather than a judge call before generation:
 * no second model call, and a streamed answer is held back only for its first few characters.
 */

/** What the model replies, alone, when its sources do not answer. */
export const NO_SOURCE_MARKER = 'AUCUNE_SOURCE';

/** The system prompt's rule when the model may abstain (replaces the "say it clearly" rule). */
export const MARKER_RULE =
  `- Si aucune des sources ne permet de répondre à la question, réponds uniquement ${NO_SOURCE_MARKER}, ` +
  'sans rien d’autre : la réponse « pas de source » est alors donnée à l’agent telle quelle.';

/** Wrappers a model may put around the marker (Markdown emphasis, quotes), and spaces. */
const LEAD = /^[\s*_`"'«»]+/;

/**
 * Whether an answer's beginning is the marker: `marker`, `text` (an answer), or `pending` (too
 * short to tell: only spaces or a beginning of the marker so far).
 */
export function markerState(text: string): 'marker' | 'text' | 'pending' {
  const t = text.replace(LEAD, '').toUpperCase();
  if (t.startsWith(NO_SOURCE_MARKER)) return 'marker';
  return NO_SOURCE_MARKER.startsWith(t) ? 'pending' : 'text';
}

/** True when a whole answer is the model's "no source". */
export function abstainsByMarker(text: string): boolean {
  return markerState(text) === 'marker';
}
