import { AppError } from '../shared/errors.js';

/**
 * The one HTTP client for upstream traffic. Only declared origins are reachable; every request is
 * counted per origin (the data-flow report reads `stats()`). Redirects are never followed, so a
 * declared upstream cannot bounce a request to an undeclared host.
 */

export interface EgressRequestInfo {
  origin: string;
  path: string;
}

export interface EgressStats {
  /** Requests sent, per origin. */
  requests: Record<string, number>;
  /** Requests refused because their origin was not declared, per origin. */
  refused: Record<string, number>;
}

export type EgressFetch = typeof fetch & { stats(): EgressStats; readonly allowedOrigins: readonly string[] };

function originOf(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

export function createEgressFetch(
  allowedOrigins: string[],
  onRequest?: (info: EgressRequestInfo) => void,
): EgressFetch {
  const allowed = new Set<string>();
  for (const o of allowedOrigins) {
    const origin = originOf(o);
    if (!origin)
      throw new AppError('config_invalid', `Origine réseau invalide dans la liste autorisée : « ${o} »`);
    allowed.add(origin);
  }
  const requests: Record<string, number> = {};
  const refused: Record<string, number> = {};

  const egressFetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const raw = requestUrl(input);
    const origin = originOf(raw);
    if (!origin || !allowed.has(origin)) {
      const key = origin ?? 'invalide';
      refused[key] = (refused[key] ?? 0) + 1;
      throw new AppError(
        'egress_refused',
        `Connexion sortante refusée vers « ${origin ?? raw.slice(0, 80)} » : cette origine n’est pas déclarée dans la configuration.`,
      );
    }
    requests[origin] = (requests[origin] ?? 0) + 1;
    onRequest?.({ origin, path: new URL(raw).pathname });
    return fetch(input, { ...init, redirect: 'manual' });
  };

  return Object.assign(egressFetch, {
    stats: (): EgressStats => ({ requests: { ...requests }, refused: { ...refused } }),
    allowedOrigins: [...allowed],
  }) as EgressFetch;
}
