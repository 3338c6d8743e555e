/**
 * Forward-only numbered migrations of the SQLite adapter. Never edit a migration that has shipped:
 * add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'knowledge',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE collections (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        visibility TEXT NOT NULL CHECK (visibility IN ('private', 'shared', 'public')),
        builtin INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX collections_org ON collections (org_id);
      CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
        external_id TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        url TEXT,
        kind TEXT NOT NULL,
        audience TEXT,
        breadcrumb TEXT NOT NULL DEFAULT '[]',
        date TEXT,
        hash TEXT NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}',
        markdown TEXT NOT NULL DEFAULT '',
        chunk_count INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (collection_id, external_id)
      );
      CREATE INDEX documents_hash ON documents (collection_id, hash);
      CREATE TABLE chunks (
        rowid INTEGER PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        collection_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        path TEXT NOT NULL DEFAULT '[]',
        text TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        has_vector INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX chunks_document ON chunks (document_id, ordinal);
      CREATE INDEX chunks_no_vector ON chunks (has_vector, rowid);
      CREATE VIRTUAL TABLE chunks_fts USING fts5 (
        title, headings, body,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 0',
        detail = 'full'
      );
    `,
  },
];
