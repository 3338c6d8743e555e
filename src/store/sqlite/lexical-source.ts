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
    const page = this.db.prepare(
      `SELECT c.rowid, c.document_id, c.collection_id, f.title, f.headings, f.body
       FROM chunks c JOIN chunks_fts f ON f.rowid = c.rowid
       WHERE c.rowid > ? ORDER BY c.rowid LIMIT ${PAGE}`,
    );
    let last = 0;
    for (;;) {
      // Pages are read between writes of this very connection: any write bumps the version, and a
      // version unchanged from the first page to the last proves the pages form one state.
      const rows = page.raw(true).all(last) as [number, string, string, string, string, string][];
      page.raw(false);
      for (const [rowid, documentId, collectionId, title, headings, body] of rows) {
        builder.add(rowid, documentId, collectionId, postingsOf({ title, headings, body }));
      }
      if (rows.length < PAGE) break;
      last = rows[rows.length - 1][0];
      await yieldToEventLoop();
      if (this.versionSync() !== before) return null;
    }
    return this.versionSync() === before ? before : null;
  }
}
