import { PostgresAiTools } from './ai-tools.js';
import pg from 'pg';
import { AppError } from '../../shared/errors.js';
import type { MetaRepo, Store, StoreInfo } from '../spec.js';
import { PostgresAccounts } from './accounts.js';
import { PostgresAudit } from './audit.js';
import { PostgresConversations } from './conversations.js';
import { PostgresPersonalData } from './personal-data.js';
import { PostgresCollections } from './collections.js';
import { redactUrl, type Pool, type StoreLogger } from './db.js';
import { PostgresDocuments } from './documents.js';
import { migrate } from './migrate.js';
import { LOCK_KEY } from './locks.js';
import { PostgresTraining } from './training.js';
import { LocalLocks } from '../local-locks.js';
import { PostgresSearch, type VectorSupport } from './search.js';
import { VECTORS_UNAVAILABLE } from './vectors.js';

export interface PostgresStoreOptions {
  url: string;
  /** Pool size per process (default 10). PGlite over a socket serves one connection: use 1. */
  maxConnections?: number;
  /** Idle connections are closed after this delay (default 30 s). */
  idleTimeoutMs?: number;
  /** Where operator warnings go (default: stderr). */
  logger?: StoreLogger;
  /**
   * Called under the migration lock before pending migrations change an existing schema (from →
   * to): the place for a backup. A throw leaves the schema untouched.
   */
  beforeMigrate?: (from: number, to: number) => Promise<void>;
}

class PostgresMeta implements MetaRepo {
  constructor(private readonly pool: Pool) {}

  private readonly locks = new LocalLocks();

  /** In this process first, then across processes. */
  exclusive<T>(name: string, fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    return this.locks.run(name, () => this.advisory(name, fn, onWait), onWait);
  }

  private async advisory<T>(name: string, fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    // A session lock on a connection held for the whole run: it dies with the process. With a
    // one-connection pool, holding it would starve `fn` itself: then only the in-process lock.
    if ((this.pool.options.max ?? 10) < 2) return fn();
    const c = await this.pool.connect();
    const key = [`guichet.named.${name}`];
    let locked = false;
    try {
      const { rows } = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS ok`, key);
      if (!rows[0]?.ok) {
        onWait?.();
        await c.query(`SELECT pg_advisory_lock(${LOCK_KEY})`, key);
      }
      locked = true;
      return await fn();
    } finally {
      if (locked) await c.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, key).catch(() => undefined);
      c.release();
    }
  }
  async get(key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return rows[0] ? rows[0].value : null;
  }
  async set(key: string, value: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }
}

export class PostgresStore implements Store {
  readonly collections: PostgresCollections;
  readonly documents: PostgresDocuments;
  readonly search: PostgresSearch;
  readonly meta: PostgresMeta;
  readonly accounts: PostgresAccounts;
  readonly audit: PostgresAudit;
  readonly conversations: PostgresConversations;
  readonly personalData: PostgresPersonalData;
  readonly aiTools: PostgresAiTools;
  readonly training: PostgresTraining;
  private closed = false;

  constructor(
    /** The connection pool (for the store's own tools, e.g. `import.ts`; never for callers). */
    readonly pool: Pool,
    readonly info: StoreInfo,
    vectors: VectorSupport,
  ) {
    this.collections = new PostgresCollections(pool);
    this.documents = new PostgresDocuments(pool);
    this.search = new PostgresSearch(pool, vectors);
    this.meta = new PostgresMeta(pool);
    this.accounts = new PostgresAccounts(pool);
    this.audit = new PostgresAudit(pool);
    this.conversations = new PostgresConversations(pool);
    this.personalData = new PostgresPersonalData(pool, this.accounts.usage);
    this.aiTools = new PostgresAiTools(pool);
    this.training = new PostgresTraining(pool);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.search.close();
    // The usage rows still buffered (a clean shutdown loses none).
    await this.accounts.usage
      .flush()
      .catch((e: unknown) =>
        process.emitWarning(`Lignes d'usage perdues à la fermeture : ${(e as Error).message}`),
      );
    await this.pool.end();
  }
}

const defaultLogger: StoreLogger = { warn: (m) => console.warn(m) };

/** Opens a PostgreSQL store: connects a pool, runs pending migrations (safe with several replicas). */
export async function openPostgresStore(o: PostgresStoreOptions): Promise<PostgresStore> {
  const log = o.logger ?? defaultLogger;
  const location = redactUrl(o.url);
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.maxConnections ?? 10,
    idleTimeoutMillis: o.idleTimeoutMs ?? 30_000,
    connectionTimeoutMillis: 10_000,
    // Search queries are short: LLVM compilation (PostgreSQL's JIT) would cost more than it saves.
    // Awaited by the pool before the connection is handed out (a 'connect' listener is not, and
    // the first query then overlapped it: pg's deprecation warning, an error from pg 9 on).
    onConnect: async (c: pg.ClientBase) => {
      await c.query('SET jit = off').catch(() => undefined);
    },
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (e) => log.warn(`Connexion PostgreSQL perdue (${e.message}) : elle sera rouverte.`));
  let client;
  try {
    client = await pool.connect();
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new AppError(
      'service_unavailable',
      `Base PostgreSQL injoignable (${location}) : ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  try {
    const state = await migrate(client, log, o.beforeMigrate);
    const available = state.extensions.has('vector');
    if (!available) log.warn(VECTORS_UNAVAILABLE);
    const version = available
      ? (
          await client.query<{ v: string }>(
            `SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`,
          )
        ).rows[0]?.v
      : undefined;
    const info: StoreInfo = {
      adapter: 'postgres',
      location,
      vectors: available,
      schemaVersion: state.version,
    };
    return new PostgresStore(pool, info, { available, iterativeScan: atLeast(version, [0, 8]) });
  } catch (e) {
    client.release();
    client = undefined;
    await pool.end().catch(() => undefined);
    throw e;
  } finally {
    client?.release();
  }
}

function atLeast(version: string | undefined, min: [number, number]): boolean {
  if (!version) return false;
  const [major, minor] = version.split('.').map(Number);
  return major > min[0] || (major === min[0] && minor >= min[1]);
}
