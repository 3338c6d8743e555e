import { describe, expect, it } from 'vitest';
import { buildGroundedMessages, SYSTEM_PROMPT } from './prompt.js';
import { abstainsByMarker, MARKER_RULE, markerState, NO_SOURCE_MARKER } from './model-abstention.js';

describe('model-judged "no source"', () => {
  it('tells a marker, an answer, and a beginning too short to tell apart', () => {
    expect(markerState('')).toBe('pending');
    expect(markerState('  **AUC')).toBe('pending');
    expect(markerState(NO_SOURCE_MARKER)).toBe('marker');
    expect(markerState(`« ${NO_SOURCE_MARKER} »`)).toBe('marker');
    expect(markerState('`aucune_source` : rien sur ce point')).toBe('marker');
    expect(markerState('Aucune démarche')).toBe('text');
    expect(markerState('La carte')).toBe('text');
    expect(abstainsByMarker(`\n**${NO_SOURCE_MARKER}**\n`)).toBe(true);
    expect(abstainsByMarker(`Voici la réponse. ${NO_SOURCE_MARKER}`)).toBe(false);
  });

  it('the prompt carries the marker rule only when asked, in place of the "say it" rule', () => {
    const sources = [] as Parameters<typeof buildGroundedMessages>[1];
    const plain = buildGroundedMessages([{ role: 'user', content: 'q' }], sources)[0].content;
    const marked = buildGroundedMessages([{ role: 'user', content: 'q' }], sources, {
      abstainMarker: true,
    })[0].content;
    expect(plain.startsWith(SYSTEM_PROMPT)).toBe(true);
    expect(plain).not.toContain(NO_SOURCE_MARKER);
    expect(marked).toContain(MARKER_RULE);
    expect(marked).not.toContain('dis-le clairement');
  });
});
