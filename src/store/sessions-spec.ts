/**
 * Browser sessions (OIDC sign-in, API key sign-in, first-admin set-up), sign-in requests in flight
 * and one-time set-up links. Only hashes of the random ids handed to browsers are stored: a copy of
 * the database does not let anyone sign in.
 */

export interface StoredSession {
  /** Hex SHA-256 of the session id held by the browser's cookie. */
  idHash: string;
  /** The person signed in (OIDC, set-up); for a key sign-in, the key's owner if it has one. */
  userId: string | null;
  /** Set when the session was opened with an API key: it acts as that key, and ends with it. */
  keyId: string | null;
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

/** A one-time link to create the first administrator (`/installation?jeton=…`). */
export interface SetupToken {
  /** Hex SHA-256 of the token in the link; the token itself is never stored. */
  hash: string;
  createdAt: string;
  expiresAt: string;
}

export interface SetupRepo {
  /**
   * True when a person, or a key neither revoked nor expired at `now` (ISO), holds the admin or
   * superadmin role: the installation then has an administrator and set-up links are refused.
   */
  hasAdmin(now: string): Promise<boolean>;
  putToken(token: SetupToken): Promise<void>;
  getToken(hash: string): Promise<SetupToken | null>;
  /** Returns the token and deletes it in the same step: a link is used at most once. */
  takeToken(hash: string): Promise<SetupToken | null>;
  /** Forgets every set-up token (an administrator now exists); returns how many. */
  deleteTokens(): Promise<number>;
}
