import type { Store } from '../store/spec.js';
import type { AuditLog } from './audit-log.js';

/**
 * Wraps a Store so that every change to organisations, users, services, keys, quotas, collections,
 * documents and the inventory of AI tools is written to the audit log, whoever makes it (HTTP route, CLI command, future UI):
 * the actor comes from the request or command context (`audit-context.ts`). Only identifiers,
 * roles, visibility, limits and counts are recorded; users appear through their audit pseudonym.
 */

const WRAPPED = Symbol.for('guichet.auditedStore');

export interface RepoSpec {
  /** Event name prefix, e.g. `key`. */
  name: string;
  path: ['accounts', string] | [string];
  /** Method → event suffix; other mutating methods get `<name>.<method>`. */
  events: Record<string, string>;
  /** String arguments are user ids (pseudonymised). */
  userIds?: boolean;
  /** Keep the `name` field (public bodies and collections, not people). */
  keepName?: boolean;
  /** Mutating methods not worth an entry (housekeeping). */
  skip?: string[];
  /** String arguments are secrets' hashes: not recorded. */
  hideStrings?: boolean;
}

export const AUDITED_REPOS: readonly RepoSpec[] = [
  { name: 'organisation', path: ['accounts', 'orgs'], events: { create: 'created' }, keepName: true },
  {
    name: 'user',
    path: ['accounts', 'users'],
    events: { create: 'created', move: 'moved' },
    userIds: true,
  },
  // Services of an organisation and pilot flags (the people attached: `user.setService`).
  {
    name: 'service',
    path: ['accounts', 'services'],
    events: { create: 'created', update: 'updated', delete: 'deleted', setOrgPilot: 'org_pilot_set' },
    keepName: true,
  },
  { name: 'key', path: ['accounts', 'keys'], events: { create: 'created', revoke: 'revoked' } },
  { name: 'quota', path: ['accounts', 'quotas'], events: { set: 'changed', remove: 'cleared' } },
  // Browser sessions (OIDC): a session created is a sign-in.
  {
    name: 'session',
    path: ['accounts', 'sessions'],
    events: { create: 'signed_in', delete: 'signed_out' },
    skip: ['deleteExpired', 'putPending', 'takePending'],
    hideStrings: true,
  },
  {
    name: 'collection',
    path: ['collections'],
    events: { create: 'created', update: 'updated', delete: 'deleted' },
    keepName: true,
  },
  {
    name: 'document',
    path: ['documents'],
    events: { put: 'stored', putMany: 'stored_many', delete: 'deleted', deleteMissing: 'deleted_missing' },
  },
  // The inventory of AI tools: names are tools, not people (details are not recorded).
  {
    name: 'ai_tool',
    path: ['aiTools'],
    events: { create: 'created', update: 'updated', delete: 'deleted' },
    keepName: true,
  },
];

const MUTATING = /^(create|update|set|revoke|delete|remove|put|rename|change|grant|assign|add)/;
const SAFE_KEYS = new Set([
  'id',
  'orgId',
  'userId',
  'role',
  'scope',
  'subjectId',
  'collectionId',
  'externalId',
  'visibility',
  'expiresAt',
  'sensitive',
  'builtin',
  'kind',
  'prefix',
  'revokedAt',
  'requestsPerMinute',
  'requestsPerDay',
  'tokensPerMinute',
  'tokensPerDay',
  'monthlyCredits',
  'serviceId',
  'pilotSince',
  'fromOrgId',
  'revokedKeys',
  'endedSessions',
]);

async function describe(
  spec: RepoSpec,
  value: unknown,
  audit: AuditLog,
  asUserId: boolean,
): Promise<unknown> {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean')
    return value ?? null;
  if (typeof value === 'string')
    return asUserId ? audit.subjectOf(value) : spec.hideStrings ? '[masqué]' : value.slice(0, 120);
  if (Array.isArray(value)) {
    const ids = [
      ...new Set(
        value.map((v) =>
          v && typeof v === 'object' ? (v as { collectionId?: unknown }).collectionId : undefined,
        ),
      ),
    ];
    return { count: value.length, collectionIds: ids.filter((x) => typeof x === 'string') };
  }
  if (typeof value !== 'object') return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || typeof v === 'function') continue;
    if (k === 'name' && spec.keepName && typeof v === 'string') out.name = v.slice(0, 120);
    else if (k === 'userId' && typeof v === 'string') out.user = await audit.subjectOf(v);
    else if (k === 'id' && spec.userIds && typeof v === 'string') out.user = await audit.subjectOf(v);
    else if (k === 'limits' || (SAFE_KEYS.has(k) && (v === null || typeof v !== 'object'))) out[k] = v;
  }
  return out;
}

function orgOf(args: unknown[], result: unknown): string | null {
  for (const v of [result, ...args]) {
    const org = v && typeof v === 'object' ? (v as { orgId?: unknown }).orgId : undefined;
    if (typeof org === 'string') return org;
  }
  return null;
}

function wrapRepo<T extends object>(repo: T, spec: RepoSpec, audit: AuditLog): T {
  return new Proxy(repo, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const method = value as (...a: unknown[]) => unknown;
      if ((!(prop in spec.events) && !MUTATING.test(prop)) || spec.skip?.includes(prop))
        return method.bind(target);
      const type = `${spec.name}.${spec.events[prop] ?? prop}`;
      return async (...args: unknown[]) => {
        const result = await method.apply(target, args);
        if (prop === 'deleteMissing' && result === 0) return result;
        const data: Record<string, unknown> = {
          args: await Promise.all(args.map((a, i) => describe(spec, a, audit, !!spec.userIds && i === 0))),
        };
        if (result !== undefined && typeof result !== 'string')
          data.result = typeof result === 'number' ? result : await describe(spec, result, audit, false);
        await audit.append({ type, orgId: orgOf(args, result), data });
        return result;
      };
    },
  });
}

/** The store seen through the audit log (idempotent: an audited store is returned as is). */
export function auditedStore(store: Store, audit: AuditLog): Store {
  if ((store as unknown as Record<symbol, unknown>)[WRAPPED]) return store;
  const wrapped = new Map<string, unknown>();
  const accounts = new Map<string, unknown>();
  for (const spec of AUDITED_REPOS) {
    if (spec.path.length === 1)
      wrapped.set(
        spec.path[0],
        wrapRepo((store as unknown as Record<string, object>)[spec.path[0]], spec, audit),
      );
    else {
      const repo = (store.accounts as unknown as Record<string, object | undefined>)[spec.path[1]];
      if (repo) accounts.set(spec.path[1], wrapRepo(repo, spec, audit));
    }
  }
  const accountsProxy = new Proxy(store.accounts, {
    get: (t, p) => (typeof p === 'string' && accounts.has(p) ? accounts.get(p) : Reflect.get(t, p, t)),
  });
  return new Proxy(store, {
    get(target, prop) {
      if (prop === WRAPPED) return true;
      if (prop === 'accounts') return accountsProxy;
      if (typeof prop === 'string' && wrapped.has(prop)) return wrapped.get(prop);
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
