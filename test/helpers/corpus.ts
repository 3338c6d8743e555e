import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ROOT, runCli } from './cli.js';

/** The data folder where the whole built-in corpus is ingested once and shared by suites. */
export const CORPUS_DIR = join(ROOT, '.tmp', 'test-corpus');
export const RAG_DEV = join(ROOT, 'eval', 'rag-dev.jsonl');
export const RAG_DEV2 = join(ROOT, 'eval', 'rag-dev2.jsonl');
const LOCK = `${CORPUS_DIR}.lock`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A corpus left by an older development schema (before the first release) is rebuilt from scratch. */
function dropIfStale(): void {
  const file = join(CORPUS_DIR, 'guichet.sqlite');
  if (!existsSync(file)) return;
  const db = new Database(file, { readonly: true });
  const row = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'chunks_fts'`).get() as
    { sql: string } | undefined;
  db.close();
  if (row?.sql.includes("content = ''")) rmSync(CORPUS_DIR, { recursive: true, force: true });
}

/**
 * Makes sure the whole built-in corpus is ingested in CORPUS_DIR (idempotent: a few seconds when it
 * is already there). A lock folder keeps parallel suites from ingesting at the same time.
 */
export async function ensureCorpus(): Promise<string> {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than 10 minutes is from a killed run.
      if (Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 600_000)
        rmSync(LOCK, { recursive: true, force: true });
      await sleep(500);
    }
  }
  try {
    dropIfStale();
    const r = runCli(['ingest', 'service-public'], { GUICHET_DATA_DIR: CORPUS_DIR }, 600_000);
    if (r.status !== 0) throw new Error(`corpus ingestion failed: ${r.stderr}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
  return CORPUS_DIR;
}

/** A private copy of the ingested corpus, for a suite that writes (keys, collections…). */
export async function copyCorpus(): Promise<string> {
  await ensureCorpus();
  const dir = mkdtempSync(join(tmpdir(), 'guichet-corpus-'));
  for (const f of ['guichet.sqlite', 'guichet.sqlite-wal', 'guichet.sqlite-shm']) {
    if (existsSync(join(CORPUS_DIR, f))) cpSync(join(CORPUS_DIR, f), join(dir, f));
  }
  return dir;
}
