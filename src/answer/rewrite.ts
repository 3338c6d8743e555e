import type { ModelRouter } from '../models/router.js';
import { BUILTIN_PROVIDER, type ChatMessage } from '../models/spec.js';
import { Pseudonymiser } from '../privacy/pseudonymise.js';

/**
 * Query rewriting by a generative model: the conversation and the question turned into a few search
 * queries in the administration's words ("mon proprio garde ma caution" → "restitution du dépôt de
 * garantie par le bailleur"). Its quality cannot be measured here (no model): it is opt-in
 * (`search.rewrite`), the lexical path on the question itself stays the measured default, and the
 * original question is always searched too (`src/usecases/retriever.ts`).
 */
export interface QueryRewriter {
  /** The queries written (possibly none); throws on a failure (the caller searches the question alone). */
  rewrite(messages: ChatMessage[], signal: AbortSignal): Promise<string[]>;
}

export const MAX_REWRITTEN_QUERIES = 3;
const MAX_QUERY_CHARS = 300;
const MAX_TURNS = 6;

export const REWRITE_INSTRUCTIONS =
  'Tu prépares la recherche documentaire d’un conseiller France Services dans les fiches officielles ' +
  '(service-public.fr). À partir de la conversation, écris de 1 à 3 requêtes de recherche courtes, ' +
  'une par ligne, dans le vocabulaire de l’administration (noms des démarches, des prestations, des ' +
  'organismes), sans numérotation, sans commentaire, sans données personnelles.';

/**
 * Rewrites with a chat model of the router (already chosen under the organisation's policy). When
 * `pseudonymise` is set (the policy's rule for a non-local target), names, numbers and addresses
 * leave as placeholders and the queries come back restored.
 */
export class ModelQueryRewriter implements QueryRewriter {
  constructor(
    private readonly router: ModelRouter,
    private readonly model: string,
    private readonly options: { pseudonymise: boolean; maxQueries?: number },
  ) {}

  async rewrite(messages: ChatMessage[], signal: AbortSignal): Promise<string[]> {
    const p = this.options.pseudonymise ? new Pseudonymiser() : null;
    const turns = messages
      .filter((m) => m.role === 'user' || m.role === 'assistant')
      .slice(-MAX_TURNS)
      .map(
        (m) =>
          `${m.role === 'user' ? 'Usager' : 'Conseiller'} : ${p ? p.pseudonymise(m.content) : m.content}`,
      );
    if (turns.length === 0) return [];
    const result = await this.router.complete(this.model, {
      messages: [
        { role: 'system', content: REWRITE_INSTRUCTIONS },
        { role: 'user', content: turns.join('\n') },
      ],
      temperature: 0,
      max_tokens: 200,
      signal,
    });
    // A built-in target (an alias's last resort, `extractive`) writes extracts, not queries.
    if (result.servedBy.provider === BUILTIN_PROVIDER) return [];
    const text = p ? p.restore(result.text).text : result.text;
    return [
      ...new Set(
        text
          .split('\n')
          .map((l) =>
            l
              .replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '')
              .replace(/^["«\s]+|["»\s]+$/g, '')
              .trim()
              .slice(0, MAX_QUERY_CHARS),
          )
          .filter((l) => l.length >= 3),
      ),
    ].slice(0, this.options.maxQueries ?? MAX_REWRITTEN_QUERIES);
  }
}
