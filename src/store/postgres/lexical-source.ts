import type { Postings } from '../lexical/bm25.js';
import type { LexicalSnapshotSource } from '../lexical/lexical-cache.js';
import type { MemoryIndexBuilder } from '../lexical/memory-index.js';
import { SNAPSHOT, withTx, type Pool } from './db.js';

const PAGE = 2000;
const VERSION = 'SELECT version::text AS version FROM lexical_stats WHERE id';

/**
 * The postings table read page by page inside one REPEATABLE READ transaction (one snapshot,
 * whatever other replicas write meanwhile), versioned by `lexical_stats.version`.
 */
export class PostgresLexicalSource implements LexicalSnapshotSource {
  constructor(private readonly pool: Pool) {}

  async version(): Promise<string> {
    const { rows } = await this.pool.query<{ version: string }>(VERSION);
    return rows[0]?.version ?? '0';
  }

  async changedCollections(
    since: string,
    max: number,
  ): Promise<{ version: string; collections: string[]; removed: number[] } | null> {
    if (!/^\d+$/.test(since)) return null;
    return withTx(
      this.pool,
      async (c) => {
        const { rows: v } = await c.query<{ version: string }>(VERSION);
        const version = v[0]?.version ?? '0';
        const { rows: log } = await c.query<{ reaches: boolean; changed: string; newer: boolean }>(
          `SELECT $1::bigint >= log_floor AS reaches,
             (SELECT count(*) FROM lexical_log WHERE version > $1::bigint) AS changed,
             $1::bigint > version AS newer
           FROM lexical_stats WHERE id`,
          [since],
        );
        if (log[0].newer || !log[0].reaches || Number(log[0].changed) > max) return null;
        const { rows: added } = await c.query<{ collection_id: string }>(
          `SELECT DISTINCT ch.collection_id FROM lexical_log l JOIN chunks ch ON ch.rowid = l.chunk_rowid
           WHERE l.version > $1::bigint AND l.added`,
          [since],
        );
        const { rows: removed } = await c.query<{ rowid: string }>(
          'SELECT DISTINCT chunk_rowid::text AS rowid FROM lexical_log WHERE version > $1::bigint AND NOT added',
          [since],
        );
        return {
          version,
          collections: added.map((r) => r.collection_id),
          removed: removed.map((r) => Number(r.rowid)),
        };
      },
      SNAPSHOT,
    );
  }

  async changes(
    since: string,
    builder: MemoryIndexBuilder,
    max: number,
  ): Promise<{ version: string; removed: number[] } | null> {
    if (!/^\d+$/.test(since)) return null;
    // One snapshot: the version, the log and the chunks read are of one state.
    return withTx(
      this.pool,
      async (c) => {
        const { rows: v } = await c.query<{ version: string }>(VERSION);
        const version = v[0]?.version ?? '0';
        if (version === since) return { version, removed: [] };
        const { rows: log } = await c.query<{ reaches: boolean; changed: string; newer: boolean }>(
          `SELECT $1::bigint >= log_floor AS reaches,
             (SELECT count(*) FROM lexical_log WHERE version > $1::bigint) AS changed,
             $1::bigint > version AS newer
           FROM lexical_stats WHERE id`,
          [since],
        );
        // A copy newer than the store (restored from a backup) or older than the log: full load.
        if (log[0].newer || !log[0].reaches || Number(log[0].changed) > max) return null;
        const { rows: removed } = await c.query<{ rowid: string }>(
          'SELECT DISTINCT chunk_rowid::text AS rowid FROM lexical_log WHERE version > $1::bigint AND NOT added',
          [since],
        );
        const { rows } = await c.query<PostingsRow>(
          `${CHUNKS_WITH_POSTINGS}
           WHERE ch.rowid IN (SELECT chunk_rowid FROM lexical_log WHERE version > $1::bigint AND added)
           ORDER BY ch.rowid`,
          [since],
        );
        addRows(builder, rows);
        return { version, removed: removed.map((r) => Number(r.rowid)) };
      },
      SNAPSHOT,
    );
  }

  async load(builder: MemoryIndexBuilder): Promise<string | null> {
    return withTx(
      this.pool,
      async (c) => {
        const { rows: v } = await c.query<{ version: string }>(VERSION);
        let last = '0';
        for (;;) {
          // Terms are letters and digits only (bm25.ts tokenize): a space separates the fields.
          const { rows } = await c.query<PostingsRow>(
            `${CHUNKS_WITH_POSTINGS} WHERE ch.rowid > $1::bigint ORDER BY ch.rowid LIMIT ${PAGE}`,
            [last],
          );
          addRows(builder, rows);
          if (rows.length < PAGE) break;
          last = rows[rows.length - 1].rowid;
        }
        return v[0]?.version ?? '0';
      },
      SNAPSHOT,
    );
  }
}

function addRows(builder: MemoryIndexBuilder, rows: PostingsRow[]): void {
  for (const r of rows) {
    builder.add(Number(r.rowid), r.document_id, r.collection_id, parsePostings(r.length, r.postings));
  }
}

/** Postings of the chunks of one page of rowids, in the text shape `parsePostings` reads. */
const CHUNKS_WITH_POSTINGS = `SELECT ch.rowid::text AS rowid, ch.document_id, ch.collection_id, ch.lexical_length AS length,
     (SELECT string_agg(p.term || ' ' || p.tf_title || ' ' || p.tf_headings || ' ' || p.tf_body, ' ')
      FROM lexical_postings p WHERE p.chunk_rowid = ch.rowid) AS postings
   FROM chunks ch`;

export interface PostingsRow {
  rowid: string;
  document_id: string;
  collection_id: string;
  length: number;
  postings: string | null;
}

function parsePostings(length: number, text: string | null): Postings {
  const terms = new Map<string, [number, number, number]>();
  if (text) {
    const f = text.split(' ');
    for (let i = 0; i + 3 < f.length; i += 4)
      terms.set(f[i], [Number(f[i + 1]), Number(f[i + 2]), Number(f[i + 3])]);
  }
  return { length, terms };
}
