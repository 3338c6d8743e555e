/**
 * Browser sessions (OIDC sign-in) and sign-in requests in flight. Only hashes of the random ids
 * handed to browsers are stored: a copy of the database does not let anyone sign in.
 */

export interface StoredSession {
  /** Hex SHA-256 of the session id held by the browser's cookie. */
  idHash: string;
  userId: string;
  orgId: string;
  createdAt: string;
  expiresAt: string;
}

/** What the callback needs to check a sign-in it started: state, nonce and PKCE verifier. */
export interface PendingSignIn {
  /** Hex SHA-256 of the id held by the short-lived sign-in cookie. */
  idHash: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Local path to return to after sign-in. */
  returnTo: string;
  expiresAt: string;
}

export interface SessionRepo {
  create(session: StoredSession): Promise<void>;
  get(idHash: string): Promise<StoredSession | null>;
  delete(idHash: string): Promise<void>;
  /** Forgets sessions and sign-in requests that ended before `now` (ISO); returns how many. */
  deleteExpired(now: string): Promise<number>;
  putPending(pending: PendingSignIn): Promise<void>;
  /** Returns the sign-in request and deletes it in the same step: a request is used at most once. */
  takePending(idHash: string): Promise<PendingSignIn | null>;
}
