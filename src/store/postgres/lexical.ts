/**
 * BM25 exactly as SQLite FTS5 computes it (lexical/bm25.ts), in SQL over a postings table, so that an
 * install moved from SQLite to PostgreSQL keeps the same search results.
 */
import type { LexicalQuery } from '../spec.js';
import { queryPhrases, type Postings } from '../lexical/bm25.js';
import type { Client, Pool } from './db.js';

/** Inserts the postings of freshly inserted chunks in one statement (the triggers keep the stats). */
export async function insertPostings(
  c: Client,
  collectionId: string,
  chunks: { rowid: string; postings: Postings }[],
): Promise<void> {
  const term: string[] = [];
  const rowid: string[] = [];
  const len: number[] = [];
  const tfT: number[] = [];
  const tfH: number[] = [];
  const tfB: number[] = [];
  for (const ch of chunks) {
    for (const [t, tf] of ch.postings.terms) {
      term.push(t);
      rowid.push(ch.rowid);
      len.push(ch.postings.length);
      tfT.push(tf[0]);
      tfH.push(tf[1]);
      tfB.push(tf[2]);
    }
  }
  if (term.length === 0) return;
  await c.query(
    `INSERT INTO lexical_postings (term, chunk_rowid, collection_id, chunk_length, tf_title, tf_headings, tf_body)
     SELECT t, r, $7, l, a, b, c FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::int[], $6::int[])
       AS u(t, r, l, a, b, c)`,
    [term, rowid, len, tfT, tfH, tfB, collectionId],
  );
}

/**
 * $1 phrases, $2 collection ids, $3..$5 weights, $6 limit. Everything in float8, like FTS5's doubles.
 * N, avgdl and n_t are those of the scope $2 (lexical/bm25.ts), summed from the per-collection
 * tables; a term absent from the scope scores nothing.
 * The postings of each term are read through the (term, chunk_rowid) index by a LATERAL subquery
 * kept apart by OFFSET 0: the plan stays an index walk per term whatever the table statistics say
 * (right after a bulk load they are empty and a hash or merge join over all postings costs seconds).
 */
export const BM25_SQL = `
  WITH s AS MATERIALIZED (
    SELECT sum(chunk_count)::float8 AS n,
      sum(token_count)::float8 / NULLIF(sum(chunk_count), 0)::float8 AS avgdl
    FROM lexical_collection_stats WHERE collection_id = ANY($2::text[])
  ), q AS MATERIALIZED (
    SELECT p.term, CASE WHEN x.idf <= 0 THEN 1e-6::float8 ELSE x.idf END AS idf, s.avgdl
    FROM unnest($1::text[]) AS p(term)
    CROSS JOIN s
    CROSS JOIN LATERAL (
      SELECT sum(t.chunk_count)::float8 AS df FROM lexical_collection_terms t
      WHERE t.term = p.term AND t.collection_id = ANY($2::text[])
    ) AS d
    CROSS JOIN LATERAL (
      SELECT ln((s.n - d.df + 0.5::float8) / (d.df + 0.5::float8)) AS idf
    ) AS x
    WHERE d.df > 0
  ), hits AS (
    SELECT lp.chunk_rowid, sum(
      q.idf * (lp.f * 2.2::float8)
        / (lp.f + 1.2::float8 * (0.25::float8 + 0.75::float8 * lp.chunk_length::float8 / q.avgdl))
    ) AS score
    FROM q
    CROSS JOIN LATERAL (
      SELECT p.chunk_rowid, p.chunk_length,
        $3::float8 * p.tf_title + $4::float8 * p.tf_headings + $5::float8 * p.tf_body AS f
      FROM lexical_postings p
      WHERE p.term = q.term AND p.collection_id = ANY($2::text[])
      OFFSET 0
    ) AS lp
    GROUP BY lp.chunk_rowid
    ORDER BY score DESC, lp.chunk_rowid
    LIMIT $6
  )
  SELECT h.chunk_rowid::text AS rowid, c.document_id, h.score
  FROM hits h JOIN chunks c ON c.rowid = h.chunk_rowid
  ORDER BY h.score DESC, h.chunk_rowid`;

export async function searchLexical(
  pool: Pool,
  q: LexicalQuery,
): Promise<{ chunkId: string; documentId: string; score: number }[]> {
  const phrases = queryPhrases(q.terms);
  if (phrases.length === 0 || q.collectionIds.length === 0 || q.limit <= 0) return [];
  const { title, headings, body } = q.weights;
  const { rows } = await pool.query<{ rowid: string; document_id: string; score: number }>(BM25_SQL, [
    phrases,
    q.collectionIds,
    title,
    headings,
    body,
    Math.floor(q.limit),
  ]);
  return rows.map((r) => ({ chunkId: r.rowid, documentId: r.document_id, score: r.score }));
}
