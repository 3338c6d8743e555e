import type { ModelRouter } from '../models/router.js';
import type { ChatMessage } from '../models/spec.js';
import { Pseudonymiser } from '../privacy/pseudonymise.js';

/**
 * Query rewriting by a generative model: the conversation and the question turned into a few search
 * queries in the administration's words ("mon proprio garde ma caution" → "restitution du dépôt de
 * garantie par le bailleur"). Its quality cannot be measured here (no model): it is opt-in, the
 * lexical path on the question itself stays the measured default, and the original question is
 * always searched too.
 */
export interface QueryRewriter {
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
 * Rewrites with a chat model of the router. What is sent goes through a pseudonymiser when the model
 * may be served by a non-local target (names, numbers and addresses become placeholders); the
 * queries come back restored. A failure or an empty answer gives no rewritten query (the caller
 * searches the question as it is).
 */
export class ModelQueryRewriter implements QueryRewriter {
  constructor(
    private readonly router: ModelRouter,
    private readonly model: string,
    private readonly options: { pseudonymise?: boolean; onError?: (e: unknown) => void } = {},
  ) {}

  async rewrite(messages: ChatMessage[], signal: AbortSignal): Promise<string[]> {
    const p =
      (this.options.pseudonymise ?? true) && !this.router.isLocal(this.model) ? new Pseudonymiser() : null;
    const turns = messages
      .filter((m) => m.role === 'user' || m.role === 'assistant')
      .slice(-MAX_TURNS)
      .map(
        (m) =>
          `${m.role === 'user' ? 'Usager' : 'Conseiller'} : ${p ? p.pseudonymise(m.content) : m.content}`,
      );
    if (turns.length === 0) return [];
    let text: string;
    try {
      const result = await this.router.complete(this.model, {
        messages: [
          { role: 'system', content: REWRITE_INSTRUCTIONS },
          { role: 'user', content: turns.join('\n') },
        ],
        temperature: 0,
        max_tokens: 200,
        signal,
      });
      text = p ? p.restore(result.text).text : result.text;
    } catch (e) {
      if (signal.aborted) throw e;
      this.options.onError?.(e);
      return [];
    }
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
    ].slice(0, MAX_REWRITTEN_QUERIES);
  }
}
