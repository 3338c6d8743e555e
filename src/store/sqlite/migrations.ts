/**
 * Forward-only numbered migrations of the SQLite adapter. Never edit a migration that has shipped
 * (from the first release on): add the next number.
 */
import type { Db } from './open.js';
import { maskPersonalData } from '../../privacy/mask.js';
import { lexicalLength } from '../lexical/bm25.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Code run after `sql`, in the same transaction (e.g. a table rebuilt from its current schema). */
  run?: (db: Db) => void;
  /**
   * Runs with foreign keys off (checked before commit): the documented way of rebuilding a table
   * that other tables reference, without cascading deletes.
   */
  foreignKeysOff?: boolean;
}

/**
 * Rebuilds `table` from its current definition with `edit` applied (constraints SQLite cannot
 * alter in place), keeping its rows, indexes and triggers. Columns added meanwhile are kept.
 */
function rebuildTable(db: Db, table: string, edit: (sql: string) => string): void {
  const row = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) as
    { sql: string } | undefined;
  if (!row) return;
  const next = edit(row.sql);
  if (next === row.sql) return;
  const extras = db
    .prepare(
      `SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL`,
    )
    .all(table) as { sql: string }[];
  const tmp = `${table}_rebuilt`;
  db.exec(next.replace(/^CREATE TABLE\s+"?\w+"?/i, `CREATE TABLE ${tmp}`));
  db.exec(`INSERT INTO ${tmp} SELECT * FROM ${table}`);
  db.exec(`DROP TABLE ${table}`);
  db.exec(`ALTER TABLE ${tmp} RENAME TO ${table}`);
  for (const e of extras) db.exec(e.sql);
}

/** Adds `role` to the list of a `CHECK (role IN (…))` constraint. */
const allowRole = (role: string) => (sql: string) =>
  sql.replace(/CHECK\s*\(\s*role\s+IN\s*\(([^)]*)\)\s*\)/i, (m, list: string) =>
    list.includes(`'${role}'`) ? m : `CHECK (role IN (${list}, '${role}'))`,
  );

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
      -- A regular (not contentless) FTS5 table: deletes then update the BM25 statistics (N, avgdl),
      -- so re-ingesting changed publications never skews the ranking.
      CREATE VIRTUAL TABLE chunks_fts USING fts5 (
        title, headings, body,
        tokenize = 'unicode61 remove_diacritics 0',
        detail = 'full'
      );
    `,
  },
  {
    version: 2,
    name: 'accounts',
    sql: `
      CREATE TABLE organisations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        siret TEXT,
        email_domains TEXT NOT NULL DEFAULT '[]',
        sensitive INTEGER NOT NULL DEFAULT 0,
        allow_self_signup INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL,
        org_id TEXT NOT NULL REFERENCES organisations (id),
        role TEXT NOT NULL CHECK (role IN ('agent', 'developer', 'admin', 'superadmin')),
        created_at TEXT NOT NULL
      );
      CREATE INDEX users_org ON users (org_id);
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES organisations (id),
        user_id TEXT REFERENCES users (id),
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'developer', 'admin', 'superadmin')),
        prefix TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT
      );
      CREATE INDEX api_keys_org ON api_keys (org_id);
      CREATE TABLE quotas (
        scope TEXT NOT NULL CHECK (scope IN ('org', 'key')),
        subject_id TEXT NOT NULL,
        requests_per_minute INTEGER,
        requests_per_day INTEGER,
        tokens_per_minute INTEGER,
        tokens_per_day INTEGER,
        monthly_credits INTEGER,
        PRIMARY KEY (scope, subject_id)
      );
      CREATE TABLE rate_counters (key TEXT PRIMARY KEY, n INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      CREATE INDEX rate_counters_expiry ON rate_counters (expires_at);
      CREATE TABLE usage (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        org_id TEXT NOT NULL,
        user_id TEXT,
        key_id TEXT,
        endpoint TEXT NOT NULL,
        model TEXT,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        credits REAL NOT NULL DEFAULT 0,
        latency_ms INTEGER NOT NULL,
        ttft_ms INTEGER,
        status INTEGER NOT NULL,
        energy_wh REAL,
        carbon_g REAL
      );
      CREATE INDEX usage_org_at ON usage (org_id, at);
    `,
  },
  {
    version: 3,
    name: 'sessions',
    sql: `
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        org_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX sessions_expiry ON sessions (expires_at);
      CREATE TABLE oidc_pending (
        id_hash TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        nonce TEXT NOT NULL,
        code_verifier TEXT NOT NULL,
        return_to TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'privacy',
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        org_id TEXT,
        actor TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE TABLE audit_subjects (user_id TEXT PRIMARY KEY, subject TEXT NOT NULL UNIQUE);
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        user_id TEXT,
        title TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX conversations_user ON conversations (user_id, updated_at);
      CREATE INDEX conversations_updated ON conversations (updated_at);
      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        content TEXT NOT NULL,
        created_at TEXT NOT NULL,
        citations TEXT NOT NULL DEFAULT '[]',
        complete INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX messages_conversation ON messages (conversation_id, created_at);
      CREATE TABLE feedback (
        id TEXT PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        org_id TEXT NOT NULL,
        user_id TEXT,
        rating INTEGER NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        comment TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
      );
      CREATE INDEX feedback_user ON feedback (user_id);
    `,
  },
  {
    version: 5,
    name: 'lexical_version',
    // A counter bumped by every chunk written or deleted, in the writer's transaction: processes
    // holding an in-memory copy of the lexical index (store/lexical) know when it is stale.
    sql: `
      CREATE TABLE lexical_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
      INSERT INTO lexical_version (id, version) VALUES (1, 0);
      CREATE TRIGGER chunks_lexical_insert AFTER INSERT ON chunks
        BEGIN UPDATE lexical_version SET version = version + 1 WHERE id = 1; END;
      CREATE TRIGGER chunks_lexical_delete AFTER DELETE ON chunks
        BEGIN UPDATE lexical_version SET version = version + 1 WHERE id = 1; END;
    `,
  },
  {
    version: 6,
    name: 'lexical_log',
    // Which chunks each version added or deleted, so that a process brings its in-memory copy up to
    // date by merging the few changed chunks instead of reloading everything. Only the last
    // 20 000 rows are kept; a copy older than the log is reloaded in full. The mark row
    // (added = 2) says the log reaches back to the version it was created at.
    sql: `
      CREATE TABLE lexical_log (
        seq INTEGER PRIMARY KEY,
        version INTEGER NOT NULL,
        chunk_rowid INTEGER NOT NULL,
        added INTEGER NOT NULL
      );
      CREATE INDEX lexical_log_version ON lexical_log (version);
      INSERT INTO lexical_log (version, chunk_rowid, added) SELECT version, 0, 2 FROM lexical_version WHERE id = 1;
      DROP TRIGGER chunks_lexical_insert;
      DROP TRIGGER chunks_lexical_delete;
      CREATE TRIGGER chunks_lexical_insert AFTER INSERT ON chunks BEGIN
        UPDATE lexical_version SET version = version + 1 WHERE id = 1;
        INSERT INTO lexical_log (version, chunk_rowid, added) SELECT version, new.rowid, 1 FROM lexical_version WHERE id = 1;
        DELETE FROM lexical_log WHERE seq <= last_insert_rowid() - 20000;
      END;
      CREATE TRIGGER chunks_lexical_delete AFTER DELETE ON chunks BEGIN
        UPDATE lexical_version SET version = version + 1 WHERE id = 1;
        INSERT INTO lexical_log (version, chunk_rowid, added) SELECT version, old.rowid, 0 FROM lexical_version WHERE id = 1;
        DELETE FROM lexical_log WHERE seq <= last_insert_rowid() - 20000;
      END;
    `,
  },
  {
    version: 7,
    name: 'key_sessions_setup_tokens',
    // A browser session may be opened with an API key (it then acts as that key and ends with it:
    // user_id becomes optional, key_id names the key); one-time set-up links for the first
    // administrator keep only the hash of their token. SQLite cannot drop NOT NULL: the table is rebuilt.
    sql: `
      CREATE TABLE sessions_new (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
        key_id TEXT REFERENCES api_keys (id) ON DELETE CASCADE,
        org_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        CHECK (user_id IS NOT NULL OR key_id IS NOT NULL)
      );
      INSERT INTO sessions_new (id_hash, user_id, key_id, org_id, created_at, expires_at)
        SELECT id_hash, user_id, NULL, org_id, created_at, expires_at FROM sessions;
      DROP TABLE sessions;
      ALTER TABLE sessions_new RENAME TO sessions;
      CREATE INDEX sessions_expiry ON sessions (expires_at);
      CREATE INDEX sessions_key ON sessions (key_id);
      CREATE TABLE setup_tokens (
        hash TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 11,
    name: 'masked_conversation_titles',
    // Titles were the question's first 80 characters, personal data included (a NIR typed at the
    // counter, shown in the history sidebar for 90 days): masked in place, like new titles.
    sql: '',
    run: (db) => {
      const rows = db.prepare(`SELECT id, title FROM conversations WHERE title <> ''`).all() as {
        id: string;
        title: string;
      }[];
      const update = db.prepare('UPDATE conversations SET title = ? WHERE id = ?');
      for (const r of rows) {
        const masked = maskPersonalData(r.title);
        if (masked !== r.title) update.run(masked, r.id);
      }
    },
  },
  {
    version: 12,
    name: 'dpo_role',
    // The read-only `dpo` role (privacy, audit and usage): people and keys may hold it.
    sql: '',
    foreignKeysOff: true,
    run: (db) => {
      rebuildTable(db, 'users', allowRole('dpo'));
      rebuildTable(db, 'api_keys', allowRole('dpo'));
    },
  },
  {
    version: 13,
    name: 'quota_ceilings',
    // A superadmin's limits on an organisation are also kept as its ceiling (scope `ceiling`): the
    // organisation's admins may set tighter limits, never looser ones or none. SQLite cannot alter a
    // CHECK constraint: the table is rebuilt.
    sql: `
      CREATE TABLE quotas_new (
        scope TEXT NOT NULL CHECK (scope IN ('org', 'key', 'ceiling')),
        subject_id TEXT NOT NULL,
        requests_per_minute INTEGER,
        requests_per_day INTEGER,
        tokens_per_minute INTEGER,
        tokens_per_day INTEGER,
        monthly_credits INTEGER,
        PRIMARY KEY (scope, subject_id)
      );
      INSERT INTO quotas_new SELECT scope, subject_id, requests_per_minute, requests_per_day,
        tokens_per_minute, tokens_per_day, monthly_credits FROM quotas;
      DROP TABLE quotas;
      ALTER TABLE quotas_new RENAME TO quotas;
    `,
  },
  {
    version: 14,
    name: 'training',
    // Agents' AI training (AI Act art. 4): quizzes drawn and not yet answered (their answers stay on
    // the server), and every attempt per organisation and person. Erasing a person deletes theirs.
    sql: `
      CREATE TABLE training_quizzes (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        course_version TEXT NOT NULL,
        question_ids TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX training_quizzes_expiry ON training_quizzes (expires_at);
      CREATE INDEX training_quizzes_user ON training_quizzes (user_id);
      CREATE TABLE training_completions (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        course_version TEXT NOT NULL,
        correct INTEGER NOT NULL,
        total INTEGER NOT NULL,
        score REAL NOT NULL,
        passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
        completed_at TEXT NOT NULL
      );
      CREATE INDEX training_completions_person ON training_completions (org_id, user_id, course_version);
    `,
  },
  {
    version: 15,
    name: 'ai_tools_and_reviews',
    // The organisation's inventory of AI tools (details as JSON, shaped by privacy/ai-tools.ts), and
    // who ticked "J'ai relu cette réponse" on an answer, and when (AI Act art. 50 marking).
    sql: `
      CREATE TABLE ai_tools (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX ai_tools_org ON ai_tools (org_id, name);
      ALTER TABLE messages ADD COLUMN reviewed_by TEXT;
      ALTER TABLE messages ADD COLUMN reviewed_at TEXT;
    `,
  },
  {
    version: 16,
    name: 'services_and_pilot',
    // Services (sub-units of an organisation) with their people, the pilot flag of an organisation
    // or a service, the service of a conversation when it was created, and refusals recorded.
    sql: `
      CREATE TABLE services (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES organisations (id),
        name TEXT NOT NULL,
        pilot_since TEXT,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX services_org_name ON services (org_id, name COLLATE NOCASE);
      ALTER TABLE users ADD COLUMN service_id TEXT REFERENCES services (id) ON DELETE SET NULL;
      CREATE INDEX users_service ON users (service_id);
      ALTER TABLE organisations ADD COLUMN pilot_since TEXT;
      ALTER TABLE conversations ADD COLUMN service_id TEXT;
      CREATE INDEX conversations_org ON conversations (org_id, service_id);
      ALTER TABLE messages ADD COLUMN no_source INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 17,
    name: 'lexical_scope_stats',
    // BM25 statistics per search scope: each chunk's token count (FTS5's xColumnSize(-1)) and, per
    // collection, its chunks and tokens, kept by triggers; a scope's N and avgdl are their sums.
    sql: `
      ALTER TABLE chunks ADD COLUMN lexical_length INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE lexical_collection_stats (
        collection_id TEXT PRIMARY KEY,
        chunk_count INTEGER NOT NULL,
        token_count INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TRIGGER chunks_scope_stats_insert AFTER INSERT ON chunks BEGIN
        INSERT INTO lexical_collection_stats (collection_id, chunk_count, token_count)
          VALUES (new.collection_id, 1, new.lexical_length)
          ON CONFLICT (collection_id) DO UPDATE SET chunk_count = chunk_count + 1,
            token_count = token_count + excluded.token_count;
      END;
      CREATE TRIGGER chunks_scope_stats_delete AFTER DELETE ON chunks BEGIN
        UPDATE lexical_collection_stats SET chunk_count = chunk_count - 1,
          token_count = token_count - old.lexical_length
          WHERE collection_id = old.collection_id;
      END;
    `,
    run: (db) => {
      const rows = db
        .prepare('SELECT rowid, title, headings, body FROM chunks_fts')
        .raw(true)
        .iterate() as Iterable<[number, string, string, string]>;
      const lengths: [number, number][] = [];
      for (const [rowid, title, headings, body] of rows)
        lengths.push([lexicalLength({ title, headings, body }), rowid]);
      const set = db.prepare('UPDATE chunks SET lexical_length = ? WHERE rowid = ?');
      for (const [length, rowid] of lengths) set.run(length, rowid);
      db.exec(`INSERT INTO lexical_collection_stats (collection_id, chunk_count, token_count)
        SELECT collection_id, COUNT(*), SUM(lexical_length) FROM chunks GROUP BY collection_id`);
    },
  },
];
