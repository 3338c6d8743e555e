import { newId, toCollection } from '../shared-rows.js';
import { AppError } from '../../shared/errors.js';
import type { Collection, CollectionRepo, NewCollection } from '../spec.js';
import type { Db } from './open.js';
import { deleteChunksWhere } from './documents.js';

export class SqliteCollections implements CollectionRepo {
  constructor(private readonly db: Db) {}

  async create(input: NewCollection): Promise<Collection> {
    const now = new Date().toISOString();
    const id = input.id ?? newId('col');
    try {
      this.db
        .prepare(
          `INSERT INTO collections (id, org_id, name, description, visibility, builtin, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          input.orgId,
          input.name,
          input.description ?? '',
          input.visibility,
          input.builtin ? 1 : 0,
          now,
          now,
        );
    } catch (e) {
      if (String((e as Error).message).includes('UNIQUE')) {
        throw new AppError('conflict', `La collection ${id} existe déjà.`);
      }
      throw e;
    }
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Collection | null> {
    const r = this.db.prepare('SELECT * FROM collections WHERE id = ?').get(id);
    return r ? toCollection(r) : null;
  }

  async list(filter: { orgId?: string; includeShared?: boolean } = {}): Promise<Collection[]> {
    if (!filter.orgId) {
      return this.db.prepare('SELECT * FROM collections ORDER BY created_at, id').all().map(toCollection);
    }
    const sql = filter.includeShared
      ? `SELECT * FROM collections WHERE org_id = ? OR visibility IN ('shared', 'public') ORDER BY created_at, id`
      : `SELECT * FROM collections WHERE org_id = ? ORDER BY created_at, id`;
    return this.db.prepare(sql).all(filter.orgId).map(toCollection);
  }

  async update(
    id: string,
    patch: Partial<Pick<Collection, 'name' | 'description' | 'visibility'>>,
  ): Promise<Collection> {
    const current = await this.get(id);
    if (!current) throw new AppError('not_found', `Collection introuvable : ${id}`);
    const next = { ...current, ...patch };
    this.db
      .prepare(
        'UPDATE collections SET name = ?, description = ?, visibility = ?, updated_at = ? WHERE id = ?',
      )
      .run(next.name, next.description, next.visibility, new Date().toISOString(), id);
    return (await this.get(id))!;
  }

  async delete(id: string): Promise<void> {
    this.db.transaction(() => {
      deleteChunksWhere(this.db, 'collection_id = ?', [id]);
      this.db.prepare('DELETE FROM documents WHERE collection_id = ?').run(id);
      this.db.prepare('DELETE FROM collections WHERE id = ?').run(id);
    })();
  }
}
