import { postingsOf } from '../lexical/bm25.js';
import { yieldToEventLoop, type LexicalSnapshotSource } from '../lexical/lexical-cache.js';
import type { MemoryIndexBuilder } from '../lexical/memory-index.js';
import type { Db } from './open.js';

const PAGE = 4000;

/** The FTS5 index read page by page (its stored analyzed fields), versioned by `lexical_version`. */
export class SqliteLexicalSource implements LexicalSnapshotSource {
  constructor(private readonly db: Db) {}

  async version(): Promise<string> {
    return this.versionSync();
  }

  private versionSync(): string {
    const row = this.db.prepare('SELECT version FROM lexical_version WHERE id = 1').get() as
      { version: number | bigint } | undefined;
    return String(row?.version ?? 0);
  }

  async load(builder: MemoryIndexBuilder): Promise<string | null> {
    const before = this.versionSync();
    const page = this.db.prepare(`${CHUNKS_WITH_TEXT} WHERE c.rowid > ? ORDER BY c.rowid LIMIT ${PAGE}`);
    let last = 0;
    for (;;) {
      // Pages are read between writes of this very connection: any write bumps the version, and a
      // version unchanged from the first page to the last proves the pages form one state.
      const rows = page.raw(true).all(last) as ChunkRow[];
      page.raw(false);
      addRows(builder, rows);
      if (rows.length < PAGE) break;
      last = rows[rows.length - 1][0];
      await yieldToEventLoop();
      if (this.versionSync() !== before) return null;
    }
    return this.versionSync() === before ? before : null;
  }

  async changedCollections(
    since: string,
    max: number,
  ): Promise<{ version: string; collections: string[]; removed: number[] } | null> {
    const from = Number(since);
    return this.db.transaction(() => {
      const version = this.versionSync();
      if (!Number.isSafeInteger(from) || from > Number(version)) return null;
      const log = this.db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM lexical_log WHERE version <= ?) AS reaches,
             (SELECT COUNT(*) FROM lexical_log WHERE version > ?) AS changed`,
        )
        .get(from, from) as { reaches: number; changed: number };
      if (!log.reaches || log.changed > max) return null;
      const collections = this.db
        .prepare(
          `SELECT DISTINCT c.collection_id FROM lexical_log l JOIN chunks c ON c.rowid = l.chunk_rowid
           WHERE l.version > ? AND l.added = 1`,
        )
        .pluck()
        .all(from) as string[];
      const removed = (
        this.db
          .prepare('SELECT DISTINCT chunk_rowid FROM lexical_log WHERE version > ? AND added = 0')
          .pluck()
          .all(from) as number[]
      ).map(Number);
      return { version, collections, removed };
    })();
  }

  async changes(
    since: string,
    builder: MemoryIndexBuilder,
    max: number,
  ): Promise<{ version: string; removed: number[] } | null> {
    const from = Number(since);
    // One read transaction: the log, the version and the chunks read are of one state.
    return this.db.transaction(() => {
      const version = this.versionSync();
      if (version === since) return { version, removed: [] };
      // A copy newer than the store (restored from a backup): only a full load is right.
      if (!Number.isSafeInteger(from) || from > Number(version)) return null;
      const log = this.db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM lexical_log WHERE version <= ?) AS reaches,
             (SELECT COUNT(*) FROM lexical_log WHERE version > ?) AS changed`,
        )
        .get(from, from) as { reaches: number; changed: number };
      if (!log.reaches || log.changed > max) return null;
      const removed = (
        this.db
          .prepare('SELECT DISTINCT chunk_rowid FROM lexical_log WHERE version > ? AND added = 0')
          .pluck()
          .all(from) as number[]
      ).map(Number);
      const rows = this.db
        .prepare(
          `${CHUNKS_WITH_TEXT}
           WHERE c.rowid IN (SELECT chunk_rowid FROM lexical_log WHERE version > ? AND added = 1)
           ORDER BY c.rowid`,
        )
        .raw(true)
        .all(from) as ChunkRow[];
      addRows(builder, rows);
      return { version, removed };
    })();
  }
}

/** Chunks with the analyzed fields FTS5 stores: read as `ChunkRow`s. */
const CHUNKS_WITH_TEXT = `SELECT c.rowid, c.document_id, c.collection_id, f.title, f.headings, f.body
  FROM chunks c JOIN chunks_fts f ON f.rowid = c.rowid`;

/** rowid, document id, collection id, and the analyzed title, headings and body of FTS5. */
type ChunkRow = [number, string, string, string, string, string];

function addRows(builder: MemoryIndexBuilder, rows: ChunkRow[]): void {
  for (const [rowid, documentId, collectionId, title, headings, body] of rows) {
    builder.add(rowid, documentId, collectionId, postingsOf({ title, headings, body }));
  }
}
