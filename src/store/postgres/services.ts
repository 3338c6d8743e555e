import type { Service } from '../../accounts/model.js';
import { AppError } from '../../shared/errors.js';
import type { ServiceRepo } from '../accounts-spec.js';
import { newId, serviceTaken, toService } from '../shared-rows.js';
import { withTx, type Pool } from './db.js';

export class PostgresServices implements ServiceRepo {
  constructor(private readonly pool: Pool) {}

  async create(input: { orgId: string; name: string; pilotSince?: string | null }): Promise<Service> {
    const { rows } = await this.pool.query(
      `INSERT INTO services (id, org_id, name, pilot_since, created_at)
       SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM organisations WHERE id = $2)
       ON CONFLICT DO NOTHING RETURNING *`,
      [newId('svc'), input.orgId, input.name, input.pilotSince ?? null, new Date().toISOString()],
    );
    if (rows[0]) return toService(rows[0]);
    const org = await this.pool.query('SELECT 1 FROM organisations WHERE id = $1', [input.orgId]);
    if (org.rows.length === 0) throw new AppError('not_found', `Organisation introuvable : ${input.orgId}`);
    throw serviceTaken(input.name);
  }

  async get(id: string): Promise<Service | null> {
    const { rows } = await this.pool.query('SELECT * FROM services WHERE id = $1', [id]);
    return rows[0] ? toService(rows[0]) : null;
  }

  async list(orgId: string): Promise<Service[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM services WHERE org_id = $1 ORDER BY lower(name), id',
      [orgId],
    );
    return rows.map(toService);
  }

  async update(id: string, patch: { name?: string; pilotSince?: string | null }): Promise<Service | null> {
    const s = await this.get(id);
    if (!s) return null;
    const name = patch.name ?? s.name;
    const taken = await this.pool.query(
      'SELECT 1 FROM services WHERE org_id = $1 AND lower(name) = lower($2) AND id <> $3',
      [s.orgId, name, id],
    );
    if (taken.rows.length) throw serviceTaken(name);
    const { rows } = await this.pool.query(
      'UPDATE services SET name = $1, pilot_since = $2 WHERE id = $3 RETURNING *',
      [name, patch.pilotSince === undefined ? s.pilotSince : patch.pilotSince, id],
    );
    return rows[0] ? toService(rows[0]) : null;
  }

  async delete(id: string): Promise<Service | null> {
    return withTx(this.pool, async (c) => {
      await c.query('UPDATE users SET service_id = NULL WHERE service_id = $1', [id]);
      const { rows } = await c.query('DELETE FROM services WHERE id = $1 RETURNING *', [id]);
      return rows[0] ? toService(rows[0]) : null;
    });
  }

  async orgPilot(orgId: string): Promise<string | null> {
    const { rows } = await this.pool.query('SELECT pilot_since FROM organisations WHERE id = $1', [orgId]);
    return rows[0]?.pilot_since ?? null;
  }

  async setOrgPilot(
    orgId: string,
    since: string | null,
  ): Promise<{ orgId: string; pilotSince: string | null }> {
    const r = await this.pool.query('UPDATE organisations SET pilot_since = $1 WHERE id = $2', [
      since,
      orgId,
    ]);
    if (r.rowCount === 0) throw new AppError('not_found', `Organisation introuvable : ${orgId}`);
    return { orgId, pilotSince: since };
  }
}
