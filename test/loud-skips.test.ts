import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * Loud skips: a test file that can skip prints why (console.warn or console.log, itself or through the helper it
 * uses for the service it needs), so that a green run never hides a suite that did not run.
 * Suites over the repository's own data never skip (test/documents/cli.test.ts,
 * src/privacy/detect.test.ts…): a missing file fails them.
 */
const SKIP = /\.skipIf\(|\bdescribe\.skip\(|\bit\.skip\(|\btest\.skip\(|\bctx\.skip\(/;
/** Helpers that print the reason themselves when their service is absent. */
const LOUD_HELPERS = ['redisAvailable(', 'skipWithoutChromium('];

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return testFiles(path);
    return /\.test\.ts$/.test(name) ? [path] : [];
  });
}

describe('loud skips', () => {
  it('every test file that can skip prints its reason', () => {
    const files = [...testFiles(join(ROOT, 'test')), ...testFiles(join(ROOT, 'src'))].filter(
      (f) => !f.endsWith('loud-skips.test.ts'),
    );
    const silent = files.filter((f) => {
      const text = readFileSync(f, 'utf8');
      if (!SKIP.test(text)) return false;
      const prints = text.includes('console.warn(') || text.includes('console.log(');
      return !prints && !LOUD_HELPERS.some((h) => text.includes(h));
    });
    expect(silent.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
