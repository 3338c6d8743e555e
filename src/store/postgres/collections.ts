import { newId, toCollection } from '../shared-rows.js';
import { AppError } from '../../shared/errors.js';
import type { Collection, CollectionRepo, NewCollection } from '../spec.js';
import { lockLexicalStats, sqlState, withTx, type Pool } from './db.js';
import { deleteChunksWhere } from './documents.js';

export class PostgresCollections implements CollectionRepo {
  constructor(private readonly pool: Pool) {}

  async create(input: NewCollection): Promise<Collection> {
    const now = new Date().toISOString();
    const id = input.id ?? newId('col');
    try {
      const { rows } = await this.pool.query(
        `INSERT INTO collections (id, org_id, name, description, visibility, builtin, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [
          id,
          input.orgId,
          input.name,
          input.description ?? '',
          input.visibility,
          input.builtin ?? false,
          now,
          now,
        ],
      );
      return toCollection(rows[0]);
    } catch (e) {
      if (sqlState(e) === '23505')
        throw new AppError('conflict', `La collection ${id} existe déjà.`, { cause: e });
      if (sqlState(e) === '23514')
        throw new AppError('invalid_request', `Visibilité inconnue : ${input.visibility}`);
      throw e;
    }
  }

  async get(id: string): Promise<Collection | null> {
    const { rows } = await this.pool.query('SELECT * FROM collections WHERE id = $1', [id]);
    return rows[0] ? toCollection(rows[0]) : null;
  }

  async list(filter: { orgId?: string; includeShared?: boolean } = {}): Promise<Collection[]> {
    if (!filter.orgId) {
      return (await this.pool.query('SELECT * FROM collections ORDER BY created_at, id')).rows.map(
        toCollection,
      );
    }
    const sql = filter.includeShared
      ? `SELECT * FROM collections WHERE org_id = $1 OR visibility IN ('shared', 'public') ORDER BY created_at, id`
      : `SELECT * FROM collections WHERE org_id = $1 ORDER BY created_at, id`;
    return (await this.pool.query(sql, [filter.orgId])).rows.map(toCollection);
  }

  async update(
    id: string,
    patch: Partial<Pick<Collection, 'name' | 'description' | 'visibility'>>,
  ): Promise<Collection> {
    const current = await this.get(id);
    if (!current) throw new AppError('not_found', `Collection introuvable : ${id}`);
    const next = { ...current, ...patch };
    const { rows } = await this.pool.query(
      'UPDATE collections SET name = $1, description = $2, visibility = $3, updated_at = $4 WHERE id = $5 RETURNING *',
      [next.name, next.description, next.visibility, new Date().toISOString(), id],
    );
    if (!rows[0]) throw new AppError('not_found', `Collection introuvable : ${id}`);
    return toCollection(rows[0]);
  }

  async delete(id: string): Promise<void> {
    await withTx(this.pool, async (c) => {
      await lockLexicalStats(c);
      await deleteChunksWhere(c, 'collection_id = $1', [id]);
      await c.query('DELETE FROM documents WHERE collection_id = $1', [id]);
      await c.query('DELETE FROM collections WHERE id = $1', [id]);
    });
  }
}
