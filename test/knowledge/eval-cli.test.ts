/**
 * `guichet eval retrieval|answers` with several --questions files: one report per file, then the
 * combined one; a bad file is refused before any search with one French line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { copyCorpus } from '../helpers/corpus.js';

let dataDir: string;
let dir: string;
const line = (o: object) => JSON.stringify(o);

beforeAll(async () => {
  dataDir = await copyCorpus();
  dir = mkdtempSync(join(tmpdir(), 'guichet-evalq-'));
  writeFileSync(
    join(dir, 'a.jsonl'),
    [
      line({
        id: 'a1',
        question: 'comment refaire ma carte grise après un vol',
        expected: ['F1707', 'F1480'],
        also_ok: ['N367'],
      }),
      line({
        id: 'a2',
        question: 'quel temps il va faire demain à Brest ?',
        expected: [],
        also_ok: [],
        unanswerable: true,
      }),
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'b.jsonl'),
    [
      line({
        id: 'b1',
        question: 'rsa personne seule 2026 combien ?',
        expected: [],
        also_ok: [],
        unanswerable: true,
      }),
      line({
        id: 'b2',
        question: 'congé pour enfant malade salarié du privé',
        expected: ['F151'],
        also_ok: [],
      }),
    ].join('\n'),
  );
  writeFileSync(join(dir, 'bad.jsonl'), '{"question": 3}\n');
}, 900_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('eval with several question files', () => {
  it('retrieval: per file and combined (JSON and text)', () => {
    const env = { GUICHET_DATA_DIR: dataDir };
    const r = runCli(
      ['eval', 'retrieval', '--questions', join(dir, 'a.jsonl'), join(dir, 'b.jsonl'), '--json'],
      env,
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.files.map((f: { file: string; n: number }) => [f.file.endsWith('a.jsonl'), f.n])).toEqual([
      [true, 1],
      [false, 1],
    ]);
    expect(report.combined.n).toBe(2);
    expect(report.combined.unanswerable.n).toBe(2);
    expect(report.combined.recall_at_k).toBe((report.files[0].recall_at_k + report.files[1].recall_at_k) / 2);
    const text = runCli(
      ['eval', 'retrieval', '--questions', join(dir, 'a.jsonl'), join(dir, 'b.jsonl')],
      env,
    );
    expect(text.stdout).toMatch(/== .*a\.jsonl[\s\S]*== .*b\.jsonl[\s\S]*== Ensemble \(2 fichiers\)/);
    // One file: the report as before (no per-file wrapper).
    const one = JSON.parse(
      runCli(['eval', 'retrieval', '--questions', join(dir, 'a.jsonl'), '--json'], env).stdout,
    );
    expect(one.n).toBe(1);
  }, 120_000);

  it('answers: refusals, false refusals and the near-miss told the sources are older', () => {
    const r = runCli(
      ['eval', 'answers', '--questions', join(dir, 'a.jsonl'), join(dir, 'b.jsonl'), '--json'],
      { GUICHET_DATA_DIR: dataDir },
    );
    expect(r.status, r.stderr).toBe(0);
    const { files, combined } = JSON.parse(r.stdout);
    expect(files).toHaveLength(2);
    expect(combined).toMatchObject({ answerable: 2, unanswerable: 2, refused: 2, false_refusals: 0 });
    expect(combined.near_miss).toEqual({ n: 1, honest: 1, ids_not_honest: [] });
    expect(files[1].near_miss.n).toBe(1);
  }, 120_000);

  it('a bad file among several: exit 1, one French line, nothing searched', () => {
    const r = runCli(['eval', 'answers', '--questions', join(dir, 'a.jsonl'), join(dir, 'bad.jsonl')], {
      GUICHET_DATA_DIR: dataDir,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('Erreur')),
    ).toEqual([expect.stringMatching(/bad\.jsonl, ligne 1 : question/)]);
  }, 60_000);
});
