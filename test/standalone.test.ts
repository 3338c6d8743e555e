/**
 * A clone from the forge has no workspace folder beside it: the project reads its evaluation data
 * from `eval/` only. This test fails if any file of the code, the tests, the benches or CI names
 * the workspace's shared folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const SCANNED = ['src', 'test', 'bench', '.ci'];
// A path into the workspace's folder (its eval, models, guides or hooks), from /work, or joined from
// '..' and its name: every way a path to it was written. (`src/shared/` is the project's own folder
// of helpers: `../shared/errors.js` is not it.) The name is spelt in pieces so that this file does
// not name the folder itself.
const NAME = ['sha', 'red'].join('');
const FORBIDDEN = [
  new RegExp(`\\b${NAME}\\/(eval|models|guides|hooks)\\b`),
  new RegExp(`['"]\\.\\.['"]\\s*,\\s*['"]${NAME}['"]`),
  new RegExp(`\\/work\\/${NAME}\\b`),
];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.tmp')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else out.push(path);
  }
  return out;
}

describe('stand-alone repository', () => {
  it('no file under src/, test/, bench/ or .ci/ names ../shared', () => {
    const offenders: string[] = [];
    for (const top of SCANNED) {
      const dir = join(ROOT, top);
      if (!existsSync(dir)) continue;
      for (const file of files(dir)) {
        const text = readFileSync(file, 'utf8');
        if (FORBIDDEN.some((re) => re.test(text))) offenders.push(relative(ROOT, file));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the dev sets are in the repository', () => {
    for (const f of [
      'rag-dev.jsonl',
      'rag-dev2.jsonl',
      'pii-dev.jsonl',
      'pii-dev-hard.jsonl',
      'local/dev/questions.jsonl',
    ])
      expect(existsSync(join(ROOT, 'eval', f)), f).toBe(true);
  });

  it('the detector of the first test catches each way of naming the shared folder', () => {
    for (const bad of [
      `new URL('../../${NAME}/eval/x.jsonl')`,
      `join(ROOT, '..', '${NAME}', 'eval')`,
      `/work/${NAME}/models/m.gguf`,
    ])
      expect(
        FORBIDDEN.some((re) => re.test(bad)),
        bad,
      ).toBe(true);
    expect(
      FORBIDDEN.some((re) => re.test("import '../shared/errors.js'")),
      'src/shared is ours',
    ).toBe(false);
  });
});
