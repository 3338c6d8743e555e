import type { AiToolRepo, StoredAiTool } from '../ai-tools-spec.js';
import { newId, toAiTool } from '../shared-rows.js';
import type { Db } from './open.js';

export class SqliteAiTools implements AiToolRepo {
  constructor(private readonly db: Db) {}

  async create(input: {
    orgId: string;
    name: string;
    details: Record<string, unknown>;
  }): Promise<StoredAiTool> {
    const id = newId('aitool');
    const now = new Date().toISOString();
    this.db
      .prepare(
        'INSERT INTO ai_tools (id, org_id, name, details, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, input.orgId, input.name, JSON.stringify(input.details), now, now);
    return (await this.get(id))!;
  }

  async get(id: string): Promise<StoredAiTool | null> {
    const r = this.db.prepare('SELECT * FROM ai_tools WHERE id = ?').get(id);
    return r ? toAiTool(r) : null;
  }

  async list(orgId: string): Promise<StoredAiTool[]> {
    return this.db
      .prepare('SELECT * FROM ai_tools WHERE org_id = ? ORDER BY name, created_at, id')
      .all(orgId)
      .map(toAiTool);
  }

  async update(
    id: string,
    patch: { name?: string; details?: Record<string, unknown> },
  ): Promise<StoredAiTool | null> {
    const current = await this.get(id);
    if (!current) return null;
    this.db
      .prepare('UPDATE ai_tools SET name = ?, details = ?, updated_at = ? WHERE id = ?')
      .run(
        patch.name ?? current.name,
        JSON.stringify(patch.details ?? current.details),
        new Date().toISOString(),
        id,
      );
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    this.db.prepare('DELETE FROM ai_tools WHERE id = ?').run(id);
  }
}
