import { accountsChanged } from '../../accounts/lookup-cache.js';
import type { ApiKey } from '../../accounts/model.js';
import { AppError } from '../../shared/errors.js';
import type { ApiKeyRepo, NewApiKey } from '../accounts-spec.js';
import { isUniqueViolation } from './constraints.js';
import { apiKeyValues, newId, toApiKey } from '../shared-rows.js';
import type { Db } from './open.js';

export class SqliteApiKeys implements ApiKeyRepo {
  constructor(private readonly db: Db) {}

  async create(input: NewApiKey): Promise<ApiKey> {
    const id = newId('key');
    if (!this.db.prepare('SELECT 1 FROM organisations WHERE id = ?').get(input.orgId)) {
      throw new AppError('not_found', `Organisation introuvable : ${input.orgId}`);
    }
    try {
      this.db
        .prepare(
          `INSERT INTO api_keys (id, org_id, user_id, name, role, prefix, hash, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...apiKeyValues(id, input));
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError('conflict', 'Préfixe de clé déjà utilisé.');
      throw e;
    }
    return (await this.get(id))!;
  }

  async get(id: string): Promise<ApiKey | null> {
    const r = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id);
    return r ? toApiKey(r) : null;
  }

  async findByPrefix(prefix: string): Promise<ApiKey | null> {
    const r = this.db.prepare('SELECT * FROM api_keys WHERE prefix = ?').get(prefix);
    return r ? toApiKey(r) : null;
  }

  async list(orgId?: string): Promise<ApiKey[]> {
    const rows = orgId
      ? this.db.prepare('SELECT * FROM api_keys WHERE org_id = ? ORDER BY created_at, id').all(orgId)
      : this.db.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all();
    return rows.map(toApiKey);
  }

  async count(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM api_keys').get() as { n: number }).n;
  }

  async revoke(id: string, at: string): Promise<ApiKey | null> {
    this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
    accountsChanged();
    return this.get(id);
  }

  async touch(id: string, at: string): Promise<void> {
    this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(at, id);
  }
}
