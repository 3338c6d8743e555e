import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.js';
import { multipartBoundary, readMultipart, type MultipartSource } from './multipart.js';

/** A body encoded by the Fetch API itself (undici's FormData encoder), with its boundary. */
async function encode(fields: [string, string | { bytes: Buffer; fileName: string }][]) {
  const form = new FormData();
  for (const [name, value] of fields) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([new Uint8Array(value.bytes)]), value.fileName);
  }
  const res = new Response(form);
  const boundary = multipartBoundary(res.headers.get('content-type')!)!;
  return { body: Buffer.from(await res.arrayBuffer()), boundary };
}

/** Cuts a body into chunks of the sizes given in turn (the network decides, not the sender). */
function cut(body: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < body.length; i++) {
    const n = sizes[i % sizes.length];
    out.push(body.subarray(at, at + n));
    at += n;
  }
  return out;
}

const asStream = (chunks: Buffer[]): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(new Uint8Array(x));
      c.close();
    },
  });
const asNodeRequest = (chunks: Buffer[]): MultipartSource => Readable.from(chunks, { objectMode: false });

/** A pseudo-random generator, so that a failure can be replayed. */
function random(seed: number) {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

describe('readMultipart', () => {
  it('gives the same parts whatever the chunking, from a web stream or the Node request', async () => {
    const next = random(7);
    // A file full of things that look like a boundary's start, and binary bytes.
    const tricky = Buffer.concat([
      Buffer.from('\r\n--\r\n-\r\n--x\r\n\r\n'),
      Buffer.from(Array.from({ length: 5000 }, () => Math.floor(next() * 256))),
      Buffer.from('\r\n--'),
    ]);
    const { body, boundary } = await encode([
      ['collection', 'ma-collection'],
      ['file', { bytes: tricky, fileName: 'données.bin' }],
      ['metadata', '{"date":"2024-01-01"}'],
    ]);
    const plans = [[1], [2, 3], [7], [64], [body.length], [5, 1, 100, 2, 4096], [70, 71, 72]];
    for (let i = 0; i < 20; i++) plans.push(Array.from({ length: 5 }, () => 1 + Math.floor(next() * 300)));
    for (const sizes of plans) {
      for (const source of [asStream, asNodeRequest]) {
        const parts = await readMultipart(source(cut(body, sizes)), boundary);
        expect(
          parts.map((p) => p.name),
          `${source.name} ${sizes}`,
        ).toEqual(['collection', 'file', 'metadata']);
        expect(parts[0].data.toString()).toBe('ma-collection');
        expect(parts[1].fileName).toBe('données.bin');
        expect(Buffer.compare(parts[1].data, tricky), `${source.name} ${sizes}`).toBe(0);
        expect(parts[2].data.toString()).toBe('{"date":"2024-01-01"}');
      }
    }
  });

  it('joins a big file into one buffer of its own (movable to a worker thread)', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 17, 'é');
    const { body, boundary } = await encode([['file', { bytes: big, fileName: 'gros.txt' }]]);
    const [part] = await readMultipart(asNodeRequest(cut(body, [65536])), boundary);
    expect(Buffer.compare(part.data, big)).toBe(0);
    expect(part.data.byteOffset).toBe(0);
    expect(part.data.buffer.byteLength).toBe(big.length);
  });

  it('refuses a body over its byte limit as it is read, and a truncated body', async () => {
    const { body, boundary } = await encode([['file', { bytes: Buffer.alloc(10_000), fileName: 'a.bin' }]]);
    const tooLarge = () => new AppError('payload_too_large', 'trop gros');
    await expect(
      readMultipart(asNodeRequest(cut(body, [1000])), boundary, { maxBodyBytes: 5000, tooLarge }),
    ).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(
      (
        await readMultipart(asNodeRequest(cut(body, [1000])), boundary, {
          maxBodyBytes: body.length,
          tooLarge,
        })
      ).length,
    ).toBe(1);
    await expect(
      readMultipart(asStream([body.subarray(0, body.length - 10)]), boundary),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});
