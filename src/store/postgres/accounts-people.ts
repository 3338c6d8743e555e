import { accountsChanged } from '../../accounts/lookup-cache.js';
import type { ApiKey, Organisation, Role, User } from '../../accounts/model.js';
import { AppError } from '../../shared/errors.js';
import type {
  ApiKeyRepo,
  NewApiKey,
  NewOrganisation,
  NewUser,
  OrganisationRepo,
  UserMove,
  UserRepo,
} from '../accounts-spec.js';
import { apiKeyValues, newId, toApiKey, toOrganisation, toUser } from '../shared-rows.js';
import { sqlState, withTx, type Pool } from './db.js';

const FOREIGN_KEY = '23503';

/**
 * Expected conflicts are found with `ON CONFLICT DO NOTHING` (no row returned) rather than by
 * catching a server error: no aborted statement, no error in the server's log.
 */
async function orgExists(pool: Pool, id: string): Promise<boolean> {
  return (await pool.query('SELECT 1 FROM organisations WHERE id = $1', [id])).rows.length > 0;
}

export class PostgresOrganisations implements OrganisationRepo {
  constructor(private readonly pool: Pool) {}

  async create(input: NewOrganisation): Promise<Organisation> {
    const id = input.id ?? newId('org');
    const { rows } = await this.pool.query(
      `INSERT INTO organisations (id, name, siret, email_domains, sensitive, allow_self_signup, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING *`,
      [
        id,
        input.name,
        input.siret ?? null,
        JSON.stringify(input.emailDomains ?? []),
        input.sensitive === true,
        input.allowSelfSignup === true,
        new Date().toISOString(),
      ],
    );
    if (!rows[0]) throw new AppError('conflict', `L'organisation ${id} existe déjà.`);
    return toOrganisation(rows[0]);
  }

  async get(id: string): Promise<Organisation | null> {
    const { rows } = await this.pool.query('SELECT * FROM organisations WHERE id = $1', [id]);
    return rows[0] ? toOrganisation(rows[0]) : null;
  }

  async list(): Promise<Organisation[]> {
    const { rows } = await this.pool.query('SELECT * FROM organisations ORDER BY created_at, id');
    return rows.map(toOrganisation);
  }
}

export class PostgresUsers implements UserRepo {
  constructor(private readonly pool: Pool) {}

  async create(input: NewUser): Promise<User> {
    const { rows } = await this.pool.query(
      `INSERT INTO users (id, email, name, org_id, role, created_at)
       SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM organisations WHERE id = $4)
       ON CONFLICT DO NOTHING RETURNING *`,
      [newId('usr'), input.email, input.name, input.orgId, input.role, new Date().toISOString()],
    );
    if (rows[0]) return toUser(rows[0]);
    if (!(await orgExists(this.pool, input.orgId)))
      throw new AppError('not_found', `Organisation introuvable : ${input.orgId}`);
    throw new AppError('conflict', `Un utilisateur avec l'adresse ${input.email} existe déjà.`);
  }

  async get(id: string): Promise<User | null> {
    const { rows } = await this.pool.query('SELECT * FROM users WHERE id = $1', [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async getByEmail(email: string): Promise<User | null> {
    const { rows } = await this.pool.query('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async list(orgId: string): Promise<User[]> {
    const { rows } = await this.pool.query('SELECT * FROM users WHERE org_id = $1 ORDER BY created_at, id', [
      orgId,
    ]);
    return rows.map(toUser);
  }

  async setService(id: string, serviceId: string | null): Promise<User | null> {
    const { rows } = await this.pool.query('UPDATE users SET service_id = $1 WHERE id = $2 RETURNING *', [
      serviceId,
      id,
    ]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async move(id: string, orgId: string, role: Role): Promise<UserMove | null> {
    const moved = await withTx(this.pool, async (c) => {
      const before = await c.query<{ org_id: string }>('SELECT org_id FROM users WHERE id = $1 FOR UPDATE', [
        id,
      ]);
      if (!before.rows[0]) return null;
      if (!(await c.query('SELECT 1 FROM organisations WHERE id = $1', [orgId])).rows[0])
        throw new AppError('not_found', `Organisation introuvable : ${orgId}`);
      const sessions = await c.query(
        'DELETE FROM sessions WHERE user_id = $1 OR key_id IN (SELECT id FROM api_keys WHERE user_id = $1)',
        [id],
      );
      const keys = await c.query(
        'UPDATE api_keys SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL',
        [id, new Date().toISOString()],
      );
      const { rows } = await c.query(
        'UPDATE users SET org_id = $2, role = $3, service_id = NULL WHERE id = $1 RETURNING *',
        [id, orgId, role],
      );
      return {
        ...toUser(rows[0]),
        fromOrgId: before.rows[0].org_id,
        revokedKeys: keys.rowCount ?? 0,
        endedSessions: sessions.rowCount ?? 0,
      };
    });
    if (moved) accountsChanged();
    return moved;
  }
}

export class PostgresApiKeys implements ApiKeyRepo {
  constructor(private readonly pool: Pool) {}

  async create(input: NewApiKey): Promise<ApiKey> {
    try {
      const { rows } = await this.pool.query(
        `INSERT INTO api_keys (id, org_id, user_id, name, role, prefix, hash, created_at, expires_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM organisations WHERE id = $2)
         ON CONFLICT DO NOTHING RETURNING *`,
        apiKeyValues(newId('key'), input),
      );
      if (rows[0]) return toApiKey(rows[0]);
    } catch (e) {
      if (sqlState(e) === FOREIGN_KEY)
        throw new AppError('not_found', `Utilisateur introuvable : ${input.userId}`);
      throw e;
    }
    if (!(await orgExists(this.pool, input.orgId)))
      throw new AppError('not_found', `Organisation introuvable : ${input.orgId}`);
    throw new AppError('conflict', 'Préfixe de clé déjà utilisé.');
  }

  async get(id: string): Promise<ApiKey | null> {
    const { rows } = await this.pool.query('SELECT * FROM api_keys WHERE id = $1', [id]);
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async findByPrefix(prefix: string): Promise<ApiKey | null> {
    const { rows } = await this.pool.query('SELECT * FROM api_keys WHERE prefix = $1', [prefix]);
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async list(orgId?: string): Promise<ApiKey[]> {
    const { rows } = orgId
      ? await this.pool.query('SELECT * FROM api_keys WHERE org_id = $1 ORDER BY created_at, id', [orgId])
      : await this.pool.query('SELECT * FROM api_keys ORDER BY created_at, id');
    return rows.map(toApiKey);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query('SELECT count(*)::int AS n FROM api_keys');
    return rows[0].n;
  }

  async revoke(id: string, at: string): Promise<ApiKey | null> {
    await this.pool.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
      at,
      id,
    ]);
    accountsChanged();
    return this.get(id);
  }

  async touch(id: string, at: string): Promise<void> {
    await this.pool.query('UPDATE api_keys SET last_used_at = $1 WHERE id = $2', [at, id]);
  }
}
