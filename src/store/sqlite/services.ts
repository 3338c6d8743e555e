import type { Service } from '../../accounts/model.js';
import { AppError } from '../../shared/errors.js';
import type { ServiceRepo } from '../accounts-spec.js';
import { newId, serviceTaken, toService } from '../shared-rows.js';
import { isUniqueViolation } from './constraints.js';
import type { Db } from './open.js';

export class SqliteServices implements ServiceRepo {
  constructor(private readonly db: Db) {}

  async create(input: { orgId: string; name: string; pilotSince?: string | null }): Promise<Service> {
    if (!this.db.prepare('SELECT 1 FROM organisations WHERE id = ?').get(input.orgId))
      throw new AppError('not_found', `Organisation introuvable : ${input.orgId}`);
    const id = newId('svc');
    try {
      this.db
        .prepare('INSERT INTO services (id, org_id, name, pilot_since, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, input.orgId, input.name, input.pilotSince ?? null, new Date().toISOString());
    } catch (e) {
      if (isUniqueViolation(e)) throw serviceTaken(input.name);
      throw e;
    }
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Service | null> {
    const r = this.db.prepare('SELECT * FROM services WHERE id = ?').get(id);
    return r ? toService(r) : null;
  }

  async list(orgId: string): Promise<Service[]> {
    return this.db
      .prepare('SELECT * FROM services WHERE org_id = ? ORDER BY name COLLATE NOCASE, id')
      .all(orgId)
      .map(toService);
  }

  async update(id: string, patch: { name?: string; pilotSince?: string | null }): Promise<Service | null> {
    const s = await this.get(id);
    if (!s) return null;
    try {
      this.db
        .prepare('UPDATE services SET name = ?, pilot_since = ? WHERE id = ?')
        .run(patch.name ?? s.name, patch.pilotSince === undefined ? s.pilotSince : patch.pilotSince, id);
    } catch (e) {
      if (isUniqueViolation(e)) throw serviceTaken(patch.name ?? s.name);
      throw e;
    }
    return this.get(id);
  }

  async delete(id: string): Promise<Service | null> {
    const s = await this.get(id);
    if (!s) return null;
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET service_id = NULL WHERE service_id = ?').run(id);
      this.db.prepare('DELETE FROM services WHERE id = ?').run(id);
    })();
    return s;
  }

  async orgPilot(orgId: string): Promise<string | null> {
    const r = this.db.prepare('SELECT pilot_since FROM organisations WHERE id = ?').get(orgId) as
      { pilot_since: string | null } | undefined;
    return r?.pilot_since ?? null;
  }

  async setOrgPilot(
    orgId: string,
    since: string | null,
  ): Promise<{ orgId: string; pilotSince: string | null }> {
    if (
      this.db.prepare('UPDATE organisations SET pilot_since = ? WHERE id = ?').run(since, orgId).changes === 0
    )
      throw new AppError('not_found', `Organisation introuvable : ${orgId}`);
    return { orgId, pilotSince: since };
  }
}
