import { lexicalFields } from '../knowledge/search/fields.js';
import { anchorsOf } from '../knowledge/index-document.js';

/** A JSON column as SQLite returns it (text), or already parsed. */
function parseJsonColumn(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return null;
  }
}
import { AuditLog } from '../privacy/audit-log.js';
import { AppError } from '../shared/errors.js';
import { COPIED_TABLES, PostgresImport, SqliteExport } from '../store/postgres/transfer.js';
import type { StoreLogger } from '../store/postgres/db.js';

export interface MigrateStoreOptions {
  /** Data folder of the SQLite install (holds guichet.sqlite). */
  dataDir: string;
  /** Target PostgreSQL database (must be empty unless `force`). */
  databaseUrl: string;
  /** Empties a non-empty target first. */
  force?: boolean;
  /** Documents (and rows) per transaction. */
  batchSize?: number;
  postgres?: { maxConnections?: number; idleTimeoutMs?: number; logger?: StoreLogger };
  onProgress?: (p: { done: number; total: number }) => void;
  onWarning?: (message: string) => void;
}

export interface MigrateStoreSummary {
  source: string;
  target: string;
  /** Rows copied per table (documents, chunks and vectors included). */
  copied: Record<string, number>;
  /** Vectors left behind because the target has no pgvector (dense search to rebuild). */
  vectorsSkipped: number;
  audit: { entries: number; ok: boolean };
  durationMs: number;
}

/**
 * Copies a whole SQLite install into an empty PostgreSQL database: ids kept (documents, chunks,
 * keys, conversations, audit entries), so citations, API keys and the audit chain remain valid.
 * The lexical index is rebuilt from each chunk exactly as ingestion builds it (`lexicalFields`):
 * the same function whatever the SQLite file's history (its FTS5 table was contentless before v0.1).
 */
export async function migrateStore(o: MigrateStoreOptions): Promise<MigrateStoreSummary> {
  const started = Date.now();
  const batch = Math.max(1, Math.floor(o.batchSize ?? 200));
  const source = SqliteExport.open(o.dataDir);
  let target: PostgresImport | undefined;
  try {
    target = await PostgresImport.open({ url: o.databaseUrl, ...o.postgres });
    const busy = await target.nonEmptyTables();
    if (busy.length > 0) {
      if (!o.force) {
        throw new AppError(
          'conflict',
          `La base PostgreSQL cible n'est pas vide (${busy.slice(0, 5).join(', ')}${busy.length > 5 ? '…' : ''}) : rien n'a été copié. ` +
            `Relancez avec --force pour la vider et la remplacer par le contenu de SQLite.`,
        );
      }
      await target.clear();
    }

    const copyVectors = target.store.info.vectors;
    const sourceVectors = source.count('vectors');
    if (sourceVectors > 0 && !copyVectors) {
      o.onWarning?.(
        `${sourceVectors} vecteurs non copiés : pgvector est absent de la base cible (recherche dense indisponible ; ` +
          `installez l'extension « vector » puis relancez avec --force, ou recalculez les vecteurs).`,
      );
    }
    const total =
      COPIED_TABLES.reduce((n, t) => n + source.count(t), 0) +
      source.count('documents') +
      (copyVectors ? sourceVectors : 0);
    let done = 0;
    const copied: Record<string, number> = {};
    const advance = (key: string, n: number) => {
      copied[key] = (copied[key] ?? 0) + n;
      done += n;
      o.onProgress?.({ done, total });
    };
    o.onProgress?.({ done, total });

    const copyTable = async (table: (typeof COPIED_TABLES)[number]) => {
      copied[table] = 0;
      for (const rows of source.rows(table, batch * 5)) {
        await target!.insertRows(table, rows);
        advance(table, rows.length);
      }
    };
    await copyTable('meta');
    await copyTable('collections');
    copied.documents = 0;
    copied.chunks = 0;
    for (const docs of source.documents(batch)) {
      await target.insertDocuments(
        docs.map((d) => {
          const anchors = anchorsOf(parseJsonColumn(d.row.metadata));
          return { ...d, lexical: d.chunks.map((ch) => lexicalFields(d, ch, anchors)) };
        }),
      );
      copied.chunks += docs.reduce((n, d) => n + d.chunks.length, 0);
      advance('documents', docs.length);
    }
    for (const table of COPIED_TABLES)
      if (table !== 'meta' && table !== 'collections') await copyTable(table);
    if (copyVectors) {
      copied.vectors = 0;
      for (const items of source.vectors(batch * 5)) {
        await target.store.search.putVectors(items);
        advance('vectors', items.length);
      }
    }
    await target.finish();

    const check = await new AuditLog(target.store).verify();
    if (!check.ok) {
      o.onWarning?.(
        `Journal d'audit copié mais non vérifiable : ${check.problems.map((p) => p.message).join(' ; ')}`,
      );
    }
    return {
      source: source.location,
      target: target.store.info.location,
      copied,
      vectorsSkipped: copyVectors ? 0 : sourceVectors,
      audit: { entries: check.entries, ok: check.ok },
      durationMs: Date.now() - started,
    };
  } finally {
    await target?.close();
    await source.close();
  }
}
