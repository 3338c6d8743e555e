import { describe, expect, it } from 'vitest';
import { readSseData, SseLineTooLongError } from './providers/openai-compatible/sse.js';
import { Semaphore } from './semaphore.js';

async function* chunksOf(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

function streamOf(parts: string[]): AsyncIterable<Uint8Array> {
  const enc = new TextEncoder();
  return chunksOf(parts.map((p) => enc.encode(p)));
}

async function all(parts: string[], max?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const d of readSseData(streamOf(parts), max)) out.push(d);
  return out;
}

describe('SSE reader', () => {
  it('handles CR, LF, CRLF split across chunks, comments, multi-line data and a missing final blank line', async () => {
    expect(await all(['data: a\r', '\n\r\n: ping\n\ndata:b\rdata: c\r\r', 'event: x\ndata: d'])).toEqual([
      'a',
      'b\nc',
      'd',
    ]);
  });

  it('decodes UTF-8 split inside a character', async () => {
    const bytes = new TextEncoder().encode('data: é€\n\n');
    const out: string[] = [];
    for await (const d of readSseData(chunksOf([bytes.slice(0, 7), bytes.slice(7)]))) out.push(d);
    expect(out).toEqual(['é€']);
  });

  it('gives the events read before an endless line, and many events of one chunk in order', async () => {
    const out: string[] = [];
    const read = async () => {
      for await (const d of readSseData(streamOf(['data: a\n\ndata: b\n\n' + 'x'.repeat(50)]), 10))
        out.push(d);
    };
    await expect(read()).rejects.toBeInstanceOf(SseLineTooLongError);
    expect(out).toEqual(['a', 'b']);
    const many = Array.from({ length: 1000 }, (_, i) => `data: ${i}\r\n\r\n`).join('');
    expect(await all([many])).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
  });

  it('refuses an endless line', async () => {
    await expect(all(['x'.repeat(50)], 10)).rejects.toBeInstanceOf(SseLineTooLongError);
  });
});

describe('Semaphore', () => {
  it('queues over the limit in order and lets a waiting caller give up', async () => {
    const s = new Semaphore(1);
    const r1 = await s.acquire();
    const order: number[] = [];
    const ac = new AbortController();
    const p2 = s.acquire(ac.signal).catch(() => order.push(2));
    const p3 = s.acquire().then((r) => (order.push(3), r));
    ac.abort();
    await p2;
    r1();
    r1(); // idempotent
    (await p3)();
    expect(order).toEqual([2, 3]);
    expect(s.inFlight).toBe(0);
  });
});
