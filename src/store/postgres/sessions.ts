import type { PendingSignIn, SessionRepo, SetupRepo, SetupToken, StoredSession } from '../sessions-spec.js';
import type { Pool } from './db.js';
import { toPendingSignIn, toSession, toSetupToken } from '../shared-rows.js';

export class PostgresSessions implements SessionRepo {
  constructor(private readonly pool: Pool) {}

  async create(s: StoredSession): Promise<void> {
    await this.pool.query(
      `INSERT INTO sessions (id_hash, user_id, key_id, org_id, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [s.idHash, s.userId, s.keyId, s.orgId, s.createdAt, s.expiresAt],
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

const ADMIN_ROLES = "('admin', 'superadmin')";

export class PostgresSetup implements SetupRepo {
  constructor(private readonly pool: Pool) {}

  async hasAdmin(now: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT EXISTS (SELECT 1 FROM users WHERE role IN ${ADMIN_ROLES})
           OR EXISTS (SELECT 1 FROM api_keys WHERE role IN ${ADMIN_ROLES} AND revoked_at IS NULL
                        AND (expires_at IS NULL OR expires_at > $1)) AS found`,
      [now],
    );
    return rows[0].found === true;
  }

  async putToken(t: SetupToken): Promise<void> {
    await this.pool.query('INSERT INTO setup_tokens (hash, created_at, expires_at) VALUES ($1, $2, $3)', [
      t.hash,
      t.createdAt,
      t.expiresAt,
    ]);
  }

  async getToken(hash: string): Promise<SetupToken | null> {
    const { rows } = await this.pool.query('SELECT * FROM setup_tokens WHERE hash = $1', [hash]);
    return rows[0] ? toSetupToken(rows[0]) : null;
  }

  /** DELETE … RETURNING: of two replicas taking the same link, only one gets it. */
  async takeToken(hash: string): Promise<SetupToken | null> {
    const { rows } = await this.pool.query('DELETE FROM setup_tokens WHERE hash = $1 RETURNING *', [hash]);
    return rows[0] ? toSetupToken(rows[0]) : null;
  }

  async deleteTokens(): Promise<number> {
    return (await this.pool.query('DELETE FROM setup_tokens')).rowCount ?? 0;
  }
}
