import type { Db } from './open.js';

export function vectorTableExists(db: Db): boolean {
  return !!db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'chunk_vectors'`).get();
}

/** Creates the sqlite-vec table on first use, when the embedding dimension is known. */
export function ensureVectorTable(db: Db, dimensions: number): void {
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'vector_dimensions'`).get() as
    { value: string } | undefined;
  if (row && Number(row.value) !== dimensions) {
    throw new Error(
      `Les vecteurs existants ont ${row.value} dimensions, le modèle d'embeddings en produit ${dimensions}. ` +
        `Lancez « guichet ingest service-public --reembed » après un changement de modèle.`,
    );
  }
  if (vectorTableExists(db)) return;
  db.exec(`CREATE VIRTUAL TABLE chunk_vectors USING vec0 (
    chunk_rowid INTEGER PRIMARY KEY,
    collection_id TEXT,
    embedding float[${dimensions}] distance_metric=cosine
  )`);
  db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('vector_dimensions', ?)`).run(
    String(dimensions),
  );
}
