import { describe, expect, it } from 'vitest';
import { chunkJson } from './chat.js';

describe('stream chunk JSON', () => {
  it('gives a text chunk the bytes of the whole object serialised', () => {
    const { chunk, textChunk } = chunkJson('chatcmpl-abc', 1_700_000_000, 'fournisseur:modèle "x"');
    for (const text of [
      '',
      'jeton ',
      'é€ 😀',
      'guillemets " et \\ barres',
      'lignes\n\r\t',
      '\u2028\u2029',
      '\ud800',
    ]) {
      expect(textChunk(text)).toBe(chunk({ content: text }, null));
    }
    expect(JSON.parse(textChunk('x'))).toEqual({
      id: 'chatcmpl-abc',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'fournisseur:modèle "x"',
      choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }],
    });
  });
});
