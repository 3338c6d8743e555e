import type { PendingSignIn, SessionRepo, StoredSession } from '../sessions-spec.js';
import type { Pool } from './db.js';
import { toPendingSignIn, toSession } from '../shared-rows.js';

export class PostgresSessions implements SessionRepo {
  constructor(private readonly pool: Pool) {}

  async create(s: StoredSession): Promise<void> {
    await this.pool.query(
      'INSERT INTO sessions (id_hash, user_id, org_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [s.idHash, s.userId, s.orgId, s.createdAt, s.expiresAt],
    );
  }

  async get(idHash: string): Promise<StoredSession | null> {
    const { rows } = await this.pool.query('SELECT * FROM sessions WHERE id_hash = $1', [idHash]);
    const r = rows[0];
    return r ? toSession(r) : null;
  }

  async delete(idHash: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteExpired(now: string): Promise<number> {
    const a = await this.pool.query('DELETE FROM sessions WHERE expires_at <= $1', [now]);
    const b = await this.pool.query('DELETE FROM oidc_pending WHERE expires_at <= $1', [now]);
    return (a.rowCount ?? 0) + (b.rowCount ?? 0);
  }

  async putPending(p: PendingSignIn): Promise<void> {
    await this.pool.query(
      `INSERT INTO oidc_pending (id_hash, state, nonce, code_verifier, return_to, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [p.idHash, p.state, p.nonce, p.codeVerifier, p.returnTo, p.expiresAt],
    );
  }

  /** DELETE … RETURNING: of two replicas taking the same request, only one gets it. */
  async takePending(idHash: string): Promise<PendingSignIn | null> {
    const { rows } = await this.pool.query('DELETE FROM oidc_pending WHERE id_hash = $1 RETURNING *', [
      idHash,
    ]);
    const r = rows[0];
    return r ? toPendingSignIn(r) : null;
  }
}
