import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../accounts/model.js';
import { usageRow } from '../../test/helpers/usage.js';
import { MAX_BUFFERED, USAGE_FLUSH_MS, UsageBuffer } from './usage-buffer.js';

/** A usage row whose prompt token count is its number, to follow the recording order. */
const row = (i: number, userId: string | null = null, keyId: string | null = null): UsageRecord => ({
  ...usageRow(i, userId, keyId),
  promptTokens: i,
});

describe('usage buffer', () => {
  it('writes when due (timer or full), in recording order, and keeps the rows of a failed write', () => {
    const written: number[][] = [];
    let fail = false;
    let dues = 0;
    const buffer = new UsageBuffer(
      (rows) => {
        if (fail) throw new Error('disque plein');
        written.push(rows.map((r) => r.promptTokens));
      },
      () => void dues++,
    );
    for (let i = 0; i < MAX_BUFFERED - 1; i++) buffer.add(row(i));
    expect(dues).toBe(0);
    buffer.add(row(MAX_BUFFERED - 1));
    expect(dues).toBe(1);
    fail = true;
    expect(() => buffer.writeNow()).toThrow('disque plein');
    buffer.add(row(5000));
    fail = false;
    buffer.writeNow();
    expect(written).toHaveLength(1);
    expect(written[0]).toHaveLength(MAX_BUFFERED + 1);
    expect(written[0].slice(0, 3)).toEqual([0, 1, 2]);
    expect(written[0].at(-1)).toBe(5000);
    buffer.writeNow(); // nothing left: no empty write
    expect(written).toHaveLength(1);
  });

  it('keeps the rows of a failed asynchronous write, within a bound', async () => {
    let calls = 0;
    const seen: number[] = [];
    const buffer = new UsageBuffer(
      async (rows) => {
        calls++;
        if (calls === 1) throw new Error('connexion perdue');
        seen.push(rows.length);
      },
      () => undefined,
    );
    for (let i = 0; i < 12 * MAX_BUFFERED; i++) buffer.add(row(i));
    await expect(buffer.writeNow()).rejects.toThrow('connexion perdue');
    await buffer.writeNow();
    expect(seen).toEqual([10 * MAX_BUFFERED]); // the oldest beyond the bound are dropped
  });

  it('calls the flush once the delay has passed', async () => {
    let dues = 0;
    const buffer = new UsageBuffer(
      () => undefined,
      () => void dues++,
    );
    buffer.add(row(1));
    buffer.add(row(2));
    await new Promise((r) => setTimeout(r, USAGE_FLUSH_MS + 50));
    expect(dues).toBe(1);
  });

  it('anonymises the buffered rows of an erased user or of their keys', () => {
    const written: UsageRecord[] = [];
    const buffer = new UsageBuffer(
      (rows) => void written.push(...rows),
      () => undefined,
    );
    buffer.add(row(1, 'u1', 'k1'));
    buffer.add(row(2, null, 'k2'));
    buffer.add(row(3, 'u2', 'k3'));
    expect(buffer.anonymise('u1', ['k2'])).toBe(2);
    buffer.writeNow();
    expect(written.map((r) => [r.userId, r.keyId])).toEqual([
      [null, null],
      [null, null],
      ['u2', 'k3'],
    ]);
  });
});
