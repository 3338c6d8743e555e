import type { Organisation, Role, User } from '../../accounts/model.js';
import { accountsChanged } from '../../accounts/lookup-cache.js';
import { AppError } from '../../shared/errors.js';
import type { NewOrganisation, NewUser, OrganisationRepo, UserMove, UserRepo } from '../accounts-spec.js';
import { isUniqueViolation } from './constraints.js';
import { newId, toOrganisation, toUser } from '../shared-rows.js';
import type { Db } from './open.js';

export class SqliteOrganisations implements OrganisationRepo {
  constructor(private readonly db: Db) {}

  async create(input: NewOrganisation): Promise<Organisation> {
    const id = input.id ?? newId('org');
    try {
      this.db
        .prepare(
          `INSERT INTO organisations (id, name, siret, email_domains, sensitive, allow_self_signup, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          input.name,
          input.siret ?? null,
          JSON.stringify(input.emailDomains ?? []),
          input.sensitive ? 1 : 0,
          input.allowSelfSignup ? 1 : 0,
          new Date().toISOString(),
        );
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError('conflict', `L'organisation ${id} existe déjà.`);
      throw e;
    }
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Organisation | null> {
    const r = this.db.prepare('SELECT * FROM organisations WHERE id = ?').get(id);
    return r ? toOrganisation(r) : null;
  }

  async list(): Promise<Organisation[]> {
    return this.db.prepare('SELECT * FROM organisations ORDER BY created_at, id').all().map(toOrganisation);
  }
}

export class SqliteUsers implements UserRepo {
  constructor(private readonly db: Db) {}

  async create(input: NewUser): Promise<User> {
    const id = newId('usr');
    if (!this.db.prepare('SELECT 1 FROM organisations WHERE id = ?').get(input.orgId)) {
      throw new AppError('not_found', `Organisation introuvable : ${input.orgId}`);
    }
    try {
      this.db
        .prepare('INSERT INTO users (id, email, name, org_id, role, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, input.email, input.name, input.orgId, input.role, new Date().toISOString());
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AppError('conflict', `Un utilisateur avec l'adresse ${input.email} existe déjà.`);
      throw e;
    }
    return (await this.get(id))!;
  }

  async get(id: string): Promise<User | null> {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id);
    return r ? toUser(r) : null;
  }

  async getByEmail(email: string): Promise<User | null> {
    const r = this.db.prepare('SELECT * FROM users WHERE email = ?').get(email);
    return r ? toUser(r) : null;
  }

  async list(orgId: string): Promise<User[]> {
    return this.db
      .prepare('SELECT * FROM users WHERE org_id = ? ORDER BY created_at, id')
      .all(orgId)
      .map(toUser);
  }

  async setService(id: string, serviceId: string | null): Promise<User | null> {
    this.db.prepare('UPDATE users SET service_id = ? WHERE id = ?').run(serviceId, id);
    return this.get(id);
  }

  async move(id: string, orgId: string, role: Role): Promise<UserMove | null> {
    const moved = this.db.transaction(() => {
      const before = this.db.prepare('SELECT org_id FROM users WHERE id = ?').get(id) as
        { org_id: string } | undefined;
      if (!before) return null;
      if (!this.db.prepare('SELECT 1 FROM organisations WHERE id = ?').get(orgId))
        throw new AppError('not_found', `Organisation introuvable : ${orgId}`);
      const endedSessions = this.db
        .prepare(
          'DELETE FROM sessions WHERE user_id = ? OR key_id IN (SELECT id FROM api_keys WHERE user_id = ?)',
        )
        .run(id, id).changes;
      const revokedKeys = this.db
        .prepare('UPDATE api_keys SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
        .run(new Date().toISOString(), id).changes;
      this.db
        .prepare('UPDATE users SET org_id = ?, role = ?, service_id = NULL WHERE id = ?')
        .run(orgId, role, id);
      return { fromOrgId: before.org_id, revokedKeys, endedSessions };
    })();
    if (!moved) return null;
    accountsChanged();
    return { ...(await this.get(id))!, ...moved };
  }
}
