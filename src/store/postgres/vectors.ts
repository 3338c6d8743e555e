import { AppError } from '../../shared/errors.js';
import { withTx, type Pool } from './db.js';
import { LOCK_KEY } from './locks.js';

export const VECTORS_UNAVAILABLE = 'pgvector absent : recherche dense indisponible';
/** Advisory lock serialising the creation of the vector table between replicas. */
const VECTOR_LOCK = 'guichet.vectors';
/** pgvector's HNSW index accepts at most 2,000 dimensions for the `vector` type. */
const HNSW_MAX_DIMENSIONS = 2000;

export function unavailable(): AppError {
  return new AppError(
    'service_unavailable',
    `${VECTORS_UNAVAILABLE} (installez l'extension PostgreSQL « vector »).`,
  );
}

/** pgvector's text form of a vector: `[1,0.5,…]`; non-finite values are refused. */
export function toVectorText(v: Float32Array): string {
  for (const x of v) {
    if (!Number.isFinite(x)) throw new AppError('invalid_request', 'Vecteur invalide : valeur non finie.');
  }
  return `[${Array.from(v).join(',')}]`;
}

export async function vectorDimensions(pool: Pool): Promise<number | null> {
  const { rows } = await pool.query<{ value: string }>(
    `SELECT value FROM meta WHERE key = 'vector_dimensions'`,
  );
  return rows[0] ? Number(rows[0].value) : null;
}

function mismatch(stored: number, given: number): AppError {
  return new AppError(
    'conflict',
    `Les vecteurs existants ont ${stored} dimensions, le modèle d'embeddings en produit ${given}. ` +
      `Lancez « guichet ingest service-public --reembed » après un changement de modèle.`,
  );
}

/** Creates the vector table on first use, when the dimension is known (fixed from then on). */
export async function ensureVectorTable(pool: Pool, dimensions: number): Promise<void> {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16000) {
    throw new AppError('invalid_request', `Dimension de vecteur invalide : ${dimensions}.`);
  }
  await withTx(pool, async (c) => {
    await c.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`, [VECTOR_LOCK]);
    const { rows } = await c.query<{ value: string }>(
      `SELECT value FROM meta WHERE key = 'vector_dimensions'`,
    );
    if (rows[0]) {
      if (Number(rows[0].value) !== dimensions) throw mismatch(Number(rows[0].value), dimensions);
      return;
    }
    await c.query(`CREATE TABLE chunk_vectors (
      chunk_rowid BIGINT PRIMARY KEY REFERENCES chunks (rowid) ON DELETE CASCADE,
      collection_id TEXT COLLATE "C" NOT NULL,
      embedding vector(${dimensions}) NOT NULL)`);
    if (dimensions <= HNSW_MAX_DIMENSIONS) {
      await c.query(
        'CREATE INDEX chunk_vectors_hnsw ON chunk_vectors USING hnsw (embedding vector_cosine_ops)',
      );
    }
    await c.query(`INSERT INTO meta (key, value) VALUES ('vector_dimensions', $1)`, [String(dimensions)]);
  });
}

export function checkDimensions(stored: number, given: number): void {
  if (stored !== given) throw mismatch(stored, given);
}
