import type { PendingSignIn, SessionRepo, SetupRepo, SetupToken, StoredSession } from '../sessions-spec.js';
import type { Db } from './open.js';
import { toPendingSignIn, toSession, toSetupToken } from '../shared-rows.js';

export class SqliteSessions implements SessionRepo {
  constructor(private readonly db: Db) {}

  async create(s: StoredSession): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sessions (id_hash, user_id, key_id, org_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(s.idHash, s.userId, s.keyId, s.orgId, s.createdAt, s.expiresAt);
  }

  async get(idHash: string): Promise<StoredSession | null> {
    const r = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as any;
    return r ? toSession(r) : null;
  }

  async delete(idHash: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  async deleteExpired(now: string): Promise<number> {
    const a = this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
    const b = this.db.prepare('DELETE FROM oidc_pending WHERE expires_at <= ?').run(now).changes;
    return a + b;
  }

  async putPending(p: PendingSignIn): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO oidc_pending (id_hash, state, nonce, code_verifier, return_to, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(p.idHash, p.state, p.nonce, p.codeVerifier, p.returnTo, p.expiresAt);
  }

  async takePending(idHash: string): Promise<PendingSignIn | null> {
    const r = this.db.prepare('DELETE FROM oidc_pending WHERE id_hash = ? RETURNING *').get(idHash) as any;
    return r ? toPendingSignIn(r) : null;
  }
}

const ADMIN_ROLES = "('admin', 'superadmin')";

export class SqliteSetup implements SetupRepo {
  constructor(private readonly db: Db) {}

  async hasAdmin(now: string): Promise<boolean> {
    const r = this.db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM users WHERE role IN ${ADMIN_ROLES})
             OR EXISTS (SELECT 1 FROM api_keys WHERE role IN ${ADMIN_ROLES} AND revoked_at IS NULL
                          AND (expires_at IS NULL OR expires_at > ?)) AS found`,
      )
      .get(now) as { found: number };
    return r.found === 1;
  }

  async putToken(t: SetupToken): Promise<void> {
    this.db
      .prepare('INSERT INTO setup_tokens (hash, created_at, expires_at) VALUES (?, ?, ?)')
      .run(t.hash, t.createdAt, t.expiresAt);
  }

  async getToken(hash: string): Promise<SetupToken | null> {
    const r = this.db.prepare('SELECT * FROM setup_tokens WHERE hash = ?').get(hash);
    return r ? toSetupToken(r) : null;
  }

  async takeToken(hash: string): Promise<SetupToken | null> {
    const r = this.db.prepare('DELETE FROM setup_tokens WHERE hash = ? RETURNING *').get(hash);
    return r ? toSetupToken(r) : null;
  }

  async deleteTokens(): Promise<number> {
    return this.db.prepare('DELETE FROM setup_tokens').run().changes;
  }
}
