import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import { registerPrivacyDetect, runPrivacyDetect } from './privacy-detect.js';

const dir = mkdtempSync(join(tmpdir(), 'guichet-privacy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runPrivacyDetect', () => {
  it('reads {"id","text"} lines and writes {"id","spans"} lines', async () => {
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    writeFileSync(
      input,
      [
        JSON.stringify({ id: 'a', text: 'Rappeler M. Pasquier au 06 12 34 56 78.', extra: 1 }),
        '',
        JSON.stringify({ id: 'b', text: 'Rien à signaler.' }),
      ].join('\n'),
    );
    expect(await runPrivacyDetect({ input, output })).toEqual({ lines: 2, spans: 2 });
    const lines = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        id: 'a',
        spans: [
          { start: 12, end: 20, type: 'PERSON' },
          { start: 24, end: 38, type: 'PHONE_FR' },
        ],
      },
      { id: 'b', spans: [] },
    ]);
  });

  it('rejects a missing file and a bad line with its number, writing nothing', async () => {
    const output = join(dir, 'bad-out.jsonl');
    await expect(runPrivacyDetect({ input: join(dir, 'absent.jsonl'), output })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('introuvable'),
    });
    const input = join(dir, 'bad.jsonl');
    writeFileSync(input, `${JSON.stringify({ id: 'a', text: 'ok' })}\n{"id": "b", "text": \n`);
    const err = await runPrivacyDetect({ input, output }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toBe('Ligne 2 : JSON invalide.');
    writeFileSync(input, `${JSON.stringify({ id: 'a' })}\n`);
    await expect(runPrivacyDetect({ input, output })).rejects.toThrow(/Ligne 1/);
    expect(existsSync(output)).toBe(false);
  });
});

describe('registerPrivacyDetect', () => {
  it('adds "privacy detect" to a program, reusing an existing "privacy" command', async () => {
    const program = new Command().exitOverride();
    program.command('privacy').description('existant').command('audit');
    registerPrivacyDetect(program);
    const privacy = program.commands.filter((c) => c.name() === 'privacy');
    expect(privacy).toHaveLength(1);
    expect(privacy[0].commands.map((c) => c.name())).toEqual(['audit', 'detect']);

    const input = join(dir, 'cli.jsonl');
    const output = join(dir, 'cli-out.jsonl');
    writeFileSync(input, `${JSON.stringify({ id: 1, text: 'Mail : anatole.pasquier@exemple.fr' })}\n`);
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await program.parseAsync(['privacy', 'detect', '--input', input, '--output', output], { from: 'user' });
    } finally {
      process.stdout.write = write;
    }
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual({
      id: 1,
      spans: [{ start: 7, end: 34, type: 'EMAIL' }],
    });
  });
});
