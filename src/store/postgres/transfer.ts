/**
 * Moving a SQLite install into PostgreSQL (`guichet migrate-store`): rows are read raw from the
 * SQLite file and written raw into PostgreSQL with their ids (documents, chunks, keys, audit seq),
 * so that citations, key prefixes and the audit chain stay valid. The lexical index is not copied
 * (SQLite's FTS5 table is contentless): the caller supplies the analyzed fields of every chunk.
 * SQL stays here; the use case (`usecases/migrate-store.ts`) only moves typed batches.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../shared/errors.js';
import type { LexicalFields } from '../spec.js';
import { openSqliteStore, type SqliteStore } from '../sqlite/index.js';
import { vectorTableExists } from '../sqlite/vectors.js';
import { lockLexicalStats, withTx } from './db.js';
import { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from './index.js';
import { postingsOf } from '../lexical/bm25.js';
import { insertPostings } from './lexical.js';

type Row = Record<string, unknown>;

/** Tables copied row for row, parents before children (foreign keys). */
export const COPIED_TABLES = [
  'meta',
  'collections',
  'organisations',
  'services',
  'users',
  'api_keys',
  'quotas',
  'rate_counters',
  'usage',
  'sessions',
  'oidc_pending',
  'audit_subjects',
  'audit_log',
  'conversations',
  'messages',
  'feedback',
  'ai_tools',
  'training_completions',
] as const;
export type CopiedTable = (typeof COPIED_TABLES)[number];

/** Columns holding JSON in PostgreSQL (`json` type) but text in SQLite. */
const JSON_COLUMNS: Partial<Record<string, string[]>> = { documents: ['breadcrumb', 'metadata'] };
/** Meta keys describing the store itself, re-created by the target rather than copied. */
const LOCAL_META = new Set(['vector_dimensions']);
/** Key column of each table, for keyset paging of the source. */
const ORDER: Record<CopiedTable, string> = {
  meta: 'key',
  collections: 'id',
  organisations: 'rowid',
  services: 'rowid',
  users: 'rowid',
  api_keys: 'rowid',
  quotas: 'rowid',
  rate_counters: 'key',
  usage: 'id',
  sessions: 'rowid',
  oidc_pending: 'rowid',
  audit_subjects: 'rowid',
  audit_log: 'seq',
  conversations: 'rowid',
  messages: 'rowid',
  feedback: 'rowid',
  ai_tools: 'rowid',
  training_completions: 'rowid',
};

const TEXT_KEYS = new Set<CopiedTable>(['meta', 'collections', 'rate_counters']);

export interface SourceChunk {
  id: string;
  ordinal: number;
  path: string[];
  text: string;
  tokens: number;
  hasVector: boolean;
}

export interface SourceDocument {
  row: Row;
  title: string;
  description: string;
  breadcrumb: string[];
  collectionId: string;
  chunks: SourceChunk[];
}

function parseJson(raw: unknown, fallback: unknown): unknown {
  try {
    return JSON.parse(String(raw));
  } catch {
    return fallback;
  }
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Read side: a Guichet SQLite data folder, read in batches. */
export class SqliteExport {
  private constructor(private readonly store: SqliteStore) {}

  static open(dataDir: string): SqliteExport {
    if (!existsSync(join(dataDir, 'guichet.sqlite'))) {
      throw new AppError(
        'not_found',
        `Aucune base SQLite Guichet dans ${dataDir} (fichier guichet.sqlite absent).`,
      );
    }
    return new SqliteExport(openSqliteStore(dataDir));
  }

  get location(): string {
    return this.store.info.location;
  }

  private get db() {
    return this.store.db;
  }

  count(table: CopiedTable | 'documents' | 'chunks' | 'vectors'): number {
    if (table === 'vectors') {
      if (!this.store.info.vectors || !vectorTableExists(this.db)) return 0;
      table = 'chunk_vectors' as never;
    }
    return (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  *rows(table: CopiedTable, batch: number): Generator<Row[]> {
    const key = ORDER[table];
    const select = table === 'messages' ? 'rowid, *' : '*';
    const stmt = this.db.prepare(
      `SELECT ${select}, ${key} AS _k FROM ${table} WHERE ${key} > ? ORDER BY ${key} LIMIT ?`,
    );
    let after: unknown = TEXT_KEYS.has(table) ? '' : -1;
    for (;;) {
      const rows = stmt.all(after, batch) as Row[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]._k;
      yield rows.map(({ _k, ...r }) => r).filter((r) => !(table === 'meta' && LOCAL_META.has(String(r.key))));
    }
  }

  *documents(batch: number): Generator<SourceDocument[]> {
    const docs = this.db.prepare('SELECT * FROM documents WHERE id > ? ORDER BY id LIMIT ?');
    let after = '';
    for (;;) {
      const rows = docs.all(after, batch) as Row[];
      if (rows.length === 0) return;
      after = String(rows[rows.length - 1].id);
      const ids = rows.map((r) => String(r.id));
      const chunks = this.db
        .prepare(`SELECT * FROM chunks WHERE document_id IN (${ids.map(() => '?').join(',')}) ORDER BY rowid`)
        .all(...ids) as Row[];
      const byDoc = new Map<string, SourceChunk[]>();
      for (const c of chunks) {
        const list = byDoc.get(String(c.document_id)) ?? [];
        list.push({
          id: String(c.rowid),
          ordinal: Number(c.ordinal),
          path: strings(parseJson(c.path, [])),
          text: String(c.text),
          tokens: Number(c.tokens),
          hasVector: c.has_vector === 1,
        });
        byDoc.set(String(c.document_id), list);
      }
      yield rows.map((r) => ({
        row: r,
        title: String(r.title),
        description: String(r.description ?? ''),
        breadcrumb: strings(parseJson(r.breadcrumb, [])),
        collectionId: String(r.collection_id),
        chunks: byDoc.get(String(r.id)) ?? [],
      }));
    }
  }

  *vectors(batch: number): Generator<{ chunkId: string; vector: Float32Array }[]> {
    if (this.count('vectors') === 0) return;
    const stmt = this.db.prepare(
      'SELECT chunk_rowid, embedding FROM chunk_vectors WHERE chunk_rowid > ? ORDER BY chunk_rowid LIMIT ?',
    );
    let after = -1;
    for (;;) {
      const rows = stmt.all(after, batch) as { chunk_rowid: number; embedding: Buffer }[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].chunk_rowid;
      yield rows.map((r) => ({
        chunkId: String(r.chunk_rowid),
        vector: new Float32Array(
          r.embedding.buffer.slice(r.embedding.byteOffset, r.embedding.byteOffset + r.embedding.byteLength),
        ),
      }));
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Write side: a PostgreSQL Guichet database (migrated on open). */
export class PostgresImport {
  private constructor(readonly store: PostgresStore) {}

  static async open(o: PostgresStoreOptions): Promise<PostgresImport> {
    return new PostgresImport(await openPostgresStore(o));
  }

  /** Tables of the target that already hold rows (empty list = an empty Guichet database). */
  async nonEmptyTables(): Promise<string[]> {
    const found: string[] = [];
    for (const t of ['documents', 'chunks', ...COPIED_TABLES]) {
      const { rows } = await this.store.pool.query(`SELECT EXISTS (SELECT 1 FROM ${t}) AS x`);
      if (rows[0].x) found.push(t);
    }
    return found;
  }

  /** Empties every table (`--force`): the lexical statistics and the vector table go too. */
  async clear(): Promise<void> {
    await withTx(this.store.pool, async (c) => {
      await lockLexicalStats(c);
      await c.query('DROP TABLE IF EXISTS chunk_vectors');
      await c.query(
        `TRUNCATE lexical_postings, lexical_terms, lexical_collection_terms, lexical_collection_stats, chunks, documents, ${COPIED_TABLES.join(', ')} CASCADE`,
      );
      // TRUNCATE fires no row trigger: the version moves and the change log starts again from it,
      // so every in-memory copy is reloaded in full.
      await c.query('TRUNCATE lexical_log');
      await c.query(
        'UPDATE lexical_stats SET chunk_count = 0, token_count = 0, version = version + 1, log_floor = version + 1',
      );
    });
  }

  async insertRows(table: CopiedTable, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const cols = Object.keys(rows[0])
      .map((c) => `"${c.replace(/"/g, '')}"`)
      .join(', ');
    await this.store.pool.query(
      `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${table}, $1::json)`,
      [JSON.stringify(rows)],
    );
  }

  /** Documents with their chunks (ids kept) and the lexical postings of the analyzed fields given. */
  async insertDocuments(docs: (SourceDocument & { lexical: LexicalFields[] })[]): Promise<void> {
    if (docs.length === 0) return;
    await withTx(this.store.pool, async (c) => {
      await lockLexicalStats(c);
      const rows = docs.map((d) => {
        const r: Row = { ...d.row };
        for (const col of JSON_COLUMNS.documents ?? [])
          r[col] = parseJson(r[col], col === 'breadcrumb' ? [] : {});
        return r;
      });
      const cols = Object.keys(rows[0])
        .map((k) => `"${k.replace(/"/g, '')}"`)
        .join(', ');
      await c.query(
        `INSERT INTO documents (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::documents, $1::json)`,
        [JSON.stringify(rows)],
      );
      const chunks = docs.flatMap((d) =>
        d.chunks.map((ch, i) => ({ doc: d, ch, postings: postingsOf(d.lexical[i]) })),
      );
      if (chunks.length === 0) return;
      await c.query(
        `INSERT INTO chunks (rowid, document_id, collection_id, ordinal, path, text, tokens, lexical_length)
         SELECT r, d, k, o, p::json, t, n, l
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::int[], $8::int[])
           AS u(r, d, k, o, p, t, n, l)`,
        [
          chunks.map((x) => x.ch.id),
          chunks.map((x) => String(x.doc.row.id)),
          chunks.map((x) => x.doc.collectionId),
          chunks.map((x) => x.ch.ordinal),
          chunks.map((x) => JSON.stringify(x.ch.path)),
          chunks.map((x) => x.ch.text),
          chunks.map((x) => x.ch.tokens),
          chunks.map((x) => x.postings.length),
        ],
      );
      const byCollection = new Map<string, { rowid: string; postings: ReturnType<typeof postingsOf> }[]>();
      for (const x of chunks) {
        const list = byCollection.get(x.doc.collectionId) ?? [];
        list.push({ rowid: x.ch.id, postings: x.postings });
        byCollection.set(x.doc.collectionId, list);
      }
      for (const [collectionId, list] of byCollection) await insertPostings(c, collectionId, list);
    });
  }

  /** Moves the id sequences past the copied ids, so new rows never collide with them. */
  async finish(): Promise<void> {
    for (const [table, col] of [
      ['chunks', 'rowid'],
      ['usage', 'id'],
      ['messages', 'rowid'],
    ]) {
      await this.store.pool.query(
        `SELECT setval(pg_get_serial_sequence('${table}', '${col}'), coalesce((SELECT max(${col}) FROM ${table}), 0) + 1, false)`,
      );
    }
    await this.store.pool.query('ANALYZE');
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
