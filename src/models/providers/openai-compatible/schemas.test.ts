import { describe, expect, it } from 'vitest';
import { chatChunkSchema, readChatChunk } from './schemas.js';

/** What the stream reader uses of a parsed chunk. */
function used(r: ReturnType<typeof readChatChunk>) {
  if (!r.success) return 'échec';
  const c = r.data.choices[0];
  return { content: c?.delta?.content, finish: c?.finish_reason || null, usage: r.data.usage ?? null };
}

describe('readChatChunk', () => {
  it('reads what the schema reads, for usual and odd chunks alike', () => {
    const cases: unknown[] = [
      {
        id: 'x',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { content: 'jeton' }, finish_reason: null }],
      },
      { choices: [{ delta: { role: 'assistant', content: '' } }] },
      { choices: [{ delta: {}, finish_reason: 'stop' }] },
      { choices: [{ delta: null, finish_reason: 'length' }] },
      { choices: [{ finish_reason: 'stop' }, { delta: { content: 'second' } }] },
      { choices: [] },
      {},
      { choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } },
      { choices: [{ delta: { content: 'a' } }], usage: { prompt_tokens: -1 } },
      { choices: [{ delta: { content: 'a' } }], usage: null },
      { choices: [{ delta: { content: 5 } }] },
      { choices: [{ delta: 'texte' }] },
      { choices: [{ delta: [] }] },
      { choices: [{ delta: { content: 'a' }, finish_reason: 3 }] },
      { choices: ['a'] },
      { choices: [null] },
      { choices: 'a' },
      { choices: null },
      [],
      null,
      'texte',
      42,
    ];
    for (const value of cases) {
      expect(used(readChatChunk(value)), JSON.stringify(value)).toEqual(
        used(chatChunkSchema.safeParse(value)),
      );
    }
  });
});
