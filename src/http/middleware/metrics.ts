import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ModelRouter } from '../../models/router.js';
import type { Services } from '../../services.js';
import type { AppEnv } from '../env.js';
import type { UsageReport } from '../usage-hook.js';

/**
 * Prometheus metrics of one app (one registry per app, so tests can build several): requests by
 * route and status, latency, tokens by model, upstream failures by provider, egress, queue depth,
 * store pool. Labels are bounded: the route is the registered pattern, never the raw path.
 */
export interface AppMetrics {
  registry: Registry;
  /** Counts and times every request; register first. */
  requests: MiddlewareHandler<AppEnv>;
  /** Counts tokens reported by model routes; register after the accounts middleware. */
  tokens: MiddlewareHandler<AppEnv>;
}

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(services: Services): AppMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'guichet' });
  collectDefaultMetrics({ register: registry, prefix: 'guichet_' });

  const requests = new Counter({
    name: 'guichet_http_requests_total',
    help: 'Requêtes HTTP, par méthode, route et statut',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'guichet_http_request_duration_seconds',
    help: 'Durée des requêtes HTTP (jusqu’aux en-têtes de la réponse), par méthode et route',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'guichet_tokens_total',
    help: 'Jetons consommés, par modèle et sens (prompt, completion)',
    labelNames: ['model', 'kind'] as const,
    registers: [registry],
  });
  const upstreamErrors = new Counter({
    name: 'guichet_upstream_errors_total',
    help: 'Échecs réessayables des modèles en amont (délai, 429, 5xx, connexion), par fournisseur',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'guichet_upstream_requests',
    help: 'Requêtes sortantes envoyées depuis le démarrage, par origine',
    labelNames: ['origin'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [origin, n] of Object.entries(services.egress.stats().requests)) this.set({ origin }, n);
    },
  });
  new Gauge({
    name: 'guichet_jobs_queue_depth',
    help: 'Tâches de fond en file ou en cours (toutes instances avec PostgreSQL)',
    registers: [registry],
    async collect() {
      this.set(await services.jobs.depth().catch(() => 0));
    },
  });
  new Gauge({
    name: 'guichet_store_pool_connections',
    help: 'Connexions du pool de la base (PostgreSQL), par état',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = poolStats(services.store);
      if (!pool) return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  new Gauge({
    name: 'guichet_lexical_memory_index_postings',
    help: "Entrées de la copie en mémoire de l'index lexical (0 : la base répond aux recherches)",
    registers: [registry],
    collect() {
      this.set(services.store.search.lexicalCache().postings);
    },
  });
  new Gauge({
    name: 'guichet_lexical_memory_index_updates',
    help: "Mises à jour de la copie en mémoire de l'index lexical depuis le démarrage : rechargements complets (load) et fusions des passages changés (merge)",
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const state = services.store.search.lexicalCache();
      this.set({ kind: 'load' }, state.loads);
      this.set({ kind: 'merge' }, state.merges);
    },
  });
  new Gauge({
    name: 'guichet_search_model_fallbacks',
    help: 'Étapes de recherche par modèle (reformulation, reclassement) abandonnées depuis le démarrage (échec ou délai dépassé) : la recherche lexicale a répondu seule',
    labelNames: ['stage'] as const,
    registers: [registry],
    collect() {
      const fallbacks = services.retriever.fallbacks();
      this.set({ stage: 'rewrite' }, fallbacks.rewrite);
      this.set({ stage: 'rerank' }, fallbacks.rerank);
    },
  });
  countUpstreamFailures(services.router, (provider) => upstreamErrors.inc({ provider }));

  return {
    registry,
    requests: async (c, next) => {
      const end = latency.startTimer();
      try {
        await next();
      } finally {
        const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'inconnue';
        const method = c.req.method;
        end({ method, route });
        requests.inc({ method, route, status: String(c.res.status) });
      }
    },
    tokens: async (c, next) => {
      const vars = c.var as Record<string, unknown>;
      const inner = vars.usageRecorder as ((r: UsageReport) => void) | undefined;
      const tap = (r: UsageReport) => {
        tokens.inc({ model: r.model, kind: 'prompt' }, r.usage.promptTokens);
        tokens.inc({ model: r.model, kind: 'completion' }, r.usage.completionTokens);
        inner?.(r);
      };
      c.set('usageRecorder' as never, tap as never);
      await next();
    },
  };
}

interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The pg pool's counters when the store has one. The Store spec has no pool accessor yet: this
 * reads the adapter's `pool` field (pg.Pool's public counters) and gives nothing for SQLite.
 */
function poolStats(store: unknown): PoolCounts | null {
  const pool = (store as { pool?: Partial<PoolCounts> }).pool;
  return pool && typeof pool.totalCount === 'number' ? (pool as PoolCounts) : null;
}

const COUNTED = Symbol.for('guichet.metrics.upstreamFailures');

/**
 * Counts each retryable failure of a model target, fallbacks included. The router keeps one
 * circuit breaker per target (`provider:model`) and calls `failure()` on exactly those failures;
 * this wraps the breaker lookup of this router instance (once), without changing its behaviour.
 */
function countUpstreamFailures(router: ModelRouter, onFailure: (provider: string) => void): void {
  const r = router as unknown as Record<PropertyKey, unknown> & {
    breaker?: (key: string) => { failure(): void };
  };
  if (typeof r.breaker !== 'function') return;
  const listeners = (r[COUNTED] as Array<(p: string) => void> | undefined) ?? [];
  listeners.push(onFailure);
  if (r[COUNTED]) return;
  r[COUNTED] = listeners;
  const original = r.breaker.bind(router);
  const wrapped = new WeakSet<object>();
  r.breaker = (key: string) => {
    const b = original(key);
    if (!wrapped.has(b)) {
      wrapped.add(b);
      const failure = b.failure.bind(b);
      const provider = key.split(':')[0] ?? key;
      b.failure = () => {
        for (const l of listeners) l(provider);
        failure();
      };
    }
    return b;
  };
}
