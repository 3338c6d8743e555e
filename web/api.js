// Talks to the Guichet API: an API key kept in sessionStorage (never localStorage), or the
// session cookie of an OIDC sign-in. A 401 sends the person back to the sign-in screen.

const KEY = 'guichet.key';
export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set key(v) {
    if (v) sessionStorage.setItem(KEY, v);
    else sessionStorage.removeItem(KEY);
  },
  me: null,
};

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/** Request headers: the key when there is one, else the session's CSRF token (from /v1/me). */
export function headers(extra = {}) {
  const h = { ...extra };
  if (session.key) h.authorization = `Bearer ${session.key}`;
  else if (session.me?.csrf_token) h['x-csrf-token'] = session.me.csrf_token;
  return h;
}

async function errorOf(res) {
  let message = `Erreur ${res.status}`;
  let code = null;
  try {
    const body = await res.json();
    if (body?.error?.message) message = body.error.message;
    code = body?.error?.code ?? null;
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, message, code);
}

/** JSON request; throws ApiError (status 0 when the network is down). */
export async function api(path, { method = 'GET', body, raw = false } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: headers(body !== undefined ? { 'content-type': 'application/json' } : {}),
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, 'Le serveur est injoignable : vérifiez la connexion réseau.');
  }
  if (res.status === 401) {
    onUnauthorized();
    throw await errorOf(res);
  }
  if (!res.ok) throw await errorOf(res);
  return raw ? res : res.json();
}

/**
 * Reads an OpenAI-style SSE stream: calls onChunk(json) for each data line; resolves with true when
 * `[DONE]` arrived, false when the stream ended early.
 */
export async function readSse(res, onChunk) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return false;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      if (data === '[DONE]') return true;
      let json;
      try {
        json = JSON.parse(data);
      } catch {
        continue;
      }
      onChunk(json);
    }
  }
}

export const can = (perm) => Boolean(session.me?.permissions?.includes(perm));
