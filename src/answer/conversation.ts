import type { ChatMessage } from '../models/spec.js';

const MAX_QUERY_CHARS = 1000;

/**
 * Builds the search query from the conversation: the last user turn, preceded by the previous
 * user turns (most recent first) while they fit, so that a follow-up ("et pour un mineur ?")
 * still finds the subject of the conversation.
 */
export function searchQueryFromConversation(messages: ChatMessage[], maxTurns = 3): string {
  const userTurns = messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content.trim())
    .filter(Boolean);
  if (userTurns.length === 0) return '';
  const last = userTurns[userTurns.length - 1];
  const parts = [last.slice(0, MAX_QUERY_CHARS)];
  let length = parts[0].length;
  for (let i = userTurns.length - 2; i >= 0 && parts.length < maxTurns; i--) {
    const turn = userTurns[i].slice(0, MAX_QUERY_CHARS - length);
    if (!turn) break;
    parts.unshift(turn);
    length += turn.length;
  }
  return parts.join('\n');
}
