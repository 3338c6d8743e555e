import type { AiToolRepo, StoredAiTool } from '../ai-tools-spec.js';
import { newId, toAiTool } from '../shared-rows.js';
import type { Pool } from './db.js';

export class PostgresAiTools implements AiToolRepo {
  constructor(private readonly pool: Pool) {}

  async create(input: {
    orgId: string;
    name: string;
    details: Record<string, unknown>;
  }): Promise<StoredAiTool> {
    const now = new Date().toISOString();
    const { rows } = await this.pool.query(
      `INSERT INTO ai_tools (id, org_id, name, details, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5) RETURNING *`,
      [newId('aitool'), input.orgId, input.name, JSON.stringify(input.details), now],
    );
    return toAiTool(rows[0]);
  }

  async get(id: string): Promise<StoredAiTool | null> {
    const { rows } = await this.pool.query('SELECT * FROM ai_tools WHERE id = $1', [id]);
    return rows[0] ? toAiTool(rows[0]) : null;
  }

  async list(orgId: string): Promise<StoredAiTool[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM ai_tools WHERE org_id = $1 ORDER BY name, created_at, id',
      [orgId],
    );
    return rows.map(toAiTool);
  }

  async update(
    id: string,
    patch: { name?: string; details?: Record<string, unknown> },
  ): Promise<StoredAiTool | null> {
    const { rows } = await this.pool.query(
      `UPDATE ai_tools SET name = coalesce($2, name), details = coalesce($3, details), updated_at = $4
       WHERE id = $1 RETURNING *`,
      [
        id,
        patch.name ?? null,
        patch.details ? JSON.stringify(patch.details) : null,
        new Date().toISOString(),
      ],
    );
    return rows[0] ? toAiTool(rows[0]) : null;
  }

  async delete(id: string): Promise<void> {
    await this.pool.query('DELETE FROM ai_tools WHERE id = $1', [id]);
  }
}
