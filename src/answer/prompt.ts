import type { ChatMessage } from '../models/spec.js';
import { passageCaseLabels } from './extract/cases.js';
import type { Source } from './sources.js';
import { MARKER_RULE } from './model-abstention.js';

export const SYSTEM_PROMPT = `Tu es Guichet, l'assistant des agents d'accueil des services publics français (France Services, mairies).
Règles impératives :
- Réponds uniquement à partir des sources numérotées fournies ci-dessous. N'invente rien : ni montant, ni délai, ni démarche.
- Cite chaque information avec le numéro de sa source entre crochets, par exemple [1] ou [2][3].
- Si les sources ne permettent pas de répondre, dis-le clairement (« Je n'ai pas trouvé de source officielle qui réponde à cette question ») et propose de reformuler ou d'orienter l'usager.
- Si la réponse dépend de la situation de l'usager (âge, statut, nationalité, ressources…) et que la question ne la précise pas, pose une question de clarification courte, ou présente les cas possibles.
- Réponds en français clair, de façon concise et structurée (listes pour les étapes et les pièces à fournir).
- Les sources locales (documents de la collectivité) priment pour les informations locales (horaires, adresses, tarifs) ; les sources nationales pour le droit.`;

export function formatSources(sources: Source[]): string {
  return sources
    .map((s) => {
      const where = s.url ? `URL : ${s.url}` : `Document local : ${s.collectionName} › ${s.title}`;
      const date = s.date ? `\nMise à jour : ${s.date}` : '';
      // The situations the fiche distinguishes: the model presents them or asks which applies.
      const cases = passageCaseLabels(s.passages);
      const situations = cases.length ? `\nSituations distinguées : ${cases.join(' ; ')}` : '';
      return `[${s.index}] ${s.title}\n${where}${date}${situations}\n${s.passages.join('\n…\n')}`;
    })
    .join('\n\n');
}

/** The rule a model told to say "no source" by a marker follows instead of its own sentence. */
const SAY_IT_RULE = /^- Si les sources ne permettent pas de répondre.*$/m;

/**
 * The messages sent to a generative model: system rules + sources, then the conversation. With
 * `abstainMarker`, the model replies with a marker when no source answers (`model-abstention.ts`).
 */
export function buildGroundedMessages(
  conversation: ChatMessage[],
  sources: Source[],
  options: { abstainMarker?: boolean } = {},
): ChatMessage[] {
  const rules = options.abstainMarker ? SYSTEM_PROMPT.replace(SAY_IT_RULE, MARKER_RULE) : SYSTEM_PROMPT;
  const system = `${rules}\n\nSources :\n\n${formatSources(sources)}`;
  const rest = conversation.filter((m) => m.role !== 'system');
  const callerSystem = conversation.filter((m) => m.role === 'system').map((m) => m.content);
  return [
    {
      role: 'system',
      content: callerSystem.length
        ? `${system}\n\nConsignes de l'intégrateur :\n${callerSystem.join('\n')}`
        : system,
    },
    ...rest,
  ];
}
