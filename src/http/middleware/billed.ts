import { compileRoutes, type RoutePermission } from './route-permissions.js';

/**
 * The /v1 routes that quotas count and usage records: the calls that run a model or a search.
 * Everything else (screen reads, navigation, administration) is neither billed nor limited, so an
 * advisor's screen never spends the quota of its questions and an admin is never locked out of the
 * quota screen by a limit.
 */
const BILLED = compileRoutes(
  (
    [
      ['POST', '/v1/chat/completions'],
      ['POST', '/v1/embeddings'],
      ['POST', '/v1/search'],
      ['POST', '/v1/conversations/:id/messages'],
    ] as const
  ).map(([method, path]): RoutePermission => ({ method, path, permission: 'chat:use' })),
);

export function isBilled(method: string, path: string): boolean {
  return BILLED.some((r) => r.method === method && r.pattern.test(path));
}
