/**
 * The parsing pool's limits with real worker threads: a file over the time limit or the memory
 * limit is refused (422) and its worker stopped; an organisation uses at most its share of the
 * workers while another's file starts at once; a full queue answers 429 with Retry-After; a
 * cancelled file leaves the queue.
 */
import { refusal } from '../../../test/helpers/errors.js';
import { afterEach, describe, expect, it } from 'vitest';
import { repeatedPagePdf } from '../../../test/hostile/fixtures.js';
import { ParsePool } from './pool.js';
import type { PrepareTask } from './prepare.js';

const task = (bytes: Uint8Array, fileName: string): PrepareTask => ({
  bytes,
  fileName,
  externalId: fileName,
  maxBytes: 100 * 1024 * 1024,
  chunkTokens: 200,
  collectionId: 'c',
  collectionName: 'Collection',
  hash: 'h',
  userMetadata: {},
});
/** ~1–2 s of pdf.js work (the page tree lists one page 1,800 times). */
const slowPdf = () => task(repeatedPagePdf(1_800), 'lent.pdf');

let pool: ParsePool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('ParsePool', () => {
  it('parses in a worker and returns the chunks', async () => {
    pool = new ParsePool({ workers: 1 });
    const r = await pool.run('a', task(Buffer.from('# Horaires\n\nOuvert le lundi.\n'), 'h.md'));
    expect(r.input.title).toBe('Horaires');
    expect(r.input.chunks.map((c) => c.text).join(' ')).toContain('Ouvert le lundi');
  });

  it('refuses a file over the time limit and stops its worker', async () => {
    pool = new ParsePool({ workers: 1, timeoutMs: 300 });
    const t = performance.now();
    const e = await refusal(pool.run('a', slowPdf()));
    expect(e.code).toBe('unprocessable');
    expect(e.message).toMatch(/a dépassé 0 s|a dépassé/);
    expect(performance.now() - t).toBeLessThan(1_500);
    expect(pool.load).toEqual({ queued: 0, running: 0 });
  });

  it('refuses a file needing more memory than the worker has', async () => {
    pool = new ParsePool({ workers: 1, memoryMb: 64, timeoutMs: 60_000 });
    // 150,000 CSV records: every record becomes a section, a chunk and its analysed fields.
    const rows = Array.from({ length: 150_000 }, (_, i) => `${i};Service ${i};Adresse ${i} rue de la mairie`);
    const csv = Buffer.from(`numero;service;adresse\n${rows.join('\n')}\n`);
    const e = await refusal(pool.run('a', task(csv, 'enorme.csv')));
    expect(e.code).toBe('unprocessable');
    expect(e.message).toMatch(/plus de 64 Mo de mémoire/);
    // The pool goes on with a new worker.
    const ok = await pool.run('a', task(Buffer.from('# Après\n\nToujours là.\n'), 'apres.md'));
    expect(ok.input.title).toBe('Après');
  });

  it('gives each organisation its share: a second organisation starts while the first waits', async () => {
    pool = new ParsePool({ workers: 2, perOrgRunning: 1, timeoutMs: 60_000 });
    await pool.warm(); // both workers up: the order below is the scheduler's, not start-up's
    const done: string[] = [];
    const track = (name: string, p: Promise<unknown>) => p.then(() => done.push(name));
    const a = [track('a1', pool.run('a', slowPdf())), track('a2', pool.run('a', slowPdf()))];
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.load).toEqual({ queued: 1, running: 1 });
    const b = track('b1', pool.run('b', slowPdf()));
    // b starts at once on the second worker; a's second file waits for a's first.
    expect(pool.load).toEqual({ queued: 1, running: 2 });
    await Promise.all([...a, b]);
    expect(done.indexOf('b1')).toBeLessThan(done.indexOf('a2'));
  });

  it('answers 429 with Retry-After when an organisation’s queue is full; a cancelled file leaves it', async () => {
    pool = new ParsePool({ workers: 1, perOrgRunning: 1, perOrgQueued: 2, timeoutMs: 60_000 });
    const controller = new AbortController();
    const running = pool.run('a', slowPdf());
    const queued = pool.run('a', slowPdf(), controller.signal);
    const queued2 = pool.run('a', slowPdf());
    const e = await refusal(pool.run('a', slowPdf()));
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.status).toBe(429);
    expect(e.headers['Retry-After']).toBe('5');
    // Another organisation is not concerned by a's queue.
    const other = pool.run('b', task(Buffer.from('# B\n\nTexte.\n'), 'b.md'));
    controller.abort();
    expect((await refusal(queued)).message).toMatch(/interrompu/);
    expect(pool.load.queued).toBe(2);
    await Promise.all([running, queued2, other]);
  });
});
