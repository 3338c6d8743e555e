import { describe, expect, it } from 'vitest';
import { chunkSections, estimateTokens } from './chunk.js';

const para = (n: number) => `Phrase ${n} sur les droits des usagers du service public. `.repeat(8).trim();

describe('chunkSections', () => {
  it('keeps the section path with each chunk', () => {
    const chunks = chunkSections(
      [
        { path: [], markdown: 'Introduction courte.' },
        { path: ['Conditions', 'Cas : Vous êtes locataire'], markdown: 'Texte du cas.' },
      ],
      { targetTokens: 300 },
    );
    expect(chunks.map((c) => c.path)).toEqual([[], ['Conditions', 'Cas : Vous êtes locataire']]);
    expect(chunks.map((c) => c.ordinal)).toEqual([0, 1]);
  });

  it('splits long sections at paragraph boundaries under the target size', () => {
    const markdown = Array.from({ length: 12 }, (_, i) => para(i)).join('\n\n');
    const chunks = chunkSections([{ path: ['A'], markdown }], { targetTokens: 200 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.tokens).toBeLessThanOrEqual(200);
      expect(c.text.startsWith('Phrase')).toBe(true);
    }
    expect(chunks.map((c) => c.text).join('\n\n')).toBe(markdown);
  });

  it('never splits an atomic record and never merges it with neighbours', () => {
    const record = 'Quotient : QF 2 ; Tarif : 2,35 € ; '.repeat(60);
    const chunks = chunkSections(
      [
        { path: ['Tarifs'], markdown: record, atomic: true },
        { path: ['Tarifs'], markdown: 'Quotient : QF 3', atomic: true },
      ],
      { targetTokens: 100 },
    );
    expect(chunks).toHaveLength(2);
    expect(chunks[0].text).toBe(record.trim());
    expect(estimateTokens(chunks[0].text)).toBeGreaterThan(100);
  });

  it('merges small consecutive sections of the same path', () => {
    const chunks = chunkSections(
      [
        { path: ['A'], markdown: 'un' },
        { path: ['A'], markdown: 'deux' },
        { path: ['B'], markdown: 'trois' },
      ],
      { targetTokens: 100 },
    );
    expect(chunks.map((c) => c.text)).toEqual(['un\n\ndeux', 'trois']);
  });

  it('ignores empty sections', () => {
    expect(chunkSections([{ path: [], markdown: '  \n ' }], { targetTokens: 100 })).toEqual([]);
  });
});
