import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { benchSearch } from './search.js';
import { machine, writeSection } from './report.js';

const BIN = fileURLToPath(new URL('../bin/guichet.js', import.meta.url));
const ADMIN_URL = process.env.GUICHET_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Cold ingest of the whole built-in corpus into a fresh PostgreSQL database, then search latency. */
export async function benchPostgres(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (e) {
    console.log(`postgres: skipped (${(e as Error).message})`);
    return;
  }
  await admin.query('DROP DATABASE IF EXISTS guichet_bench');
  await admin.query('CREATE DATABASE guichet_bench');
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = '/guichet_bench';
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'TIME %e %M', process.execPath, BIN, 'ingest', 'service-public'],
    {
      env: { ...process.env, DATABASE_URL: url.toString(), GUICHET_LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    },
  );
  const m = /TIME ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`PostgreSQL ingest failed: ${r.stderr.slice(-500)}`);
  const vacuum = new pg.Client({ connectionString: url.toString() });
  await vacuum.connect();
  await vacuum.query('VACUUM ANALYZE');
  await vacuum.end();
  writeSection(
    'Ingestion du corpus intégré (PostgreSQL)',
    `Machine : ${machine()}, PostgreSQL local (sans pgvector)

| mesure | valeur | objectif |
|---|---|---|
| ingestion à froid (temps total du processus) | ${Number(m[1]).toFixed(1)} s | ≤ 180 s |
| pic de mémoire (RSS) du processus Guichet | ${(Number(m[2]) / 1024).toFixed(0)} Mio | — |

Résumé : ${r.stdout.trim().split('\n').pop()}
Commande : \`npm run bench -- postgres\` (base neuve, puis \`VACUUM ANALYZE\` avant la mesure de recherche).`,
  );
  console.log(`postgres ingest: ${m[1]} s`);
  await benchSearch({
    dataDir: '/nonexistent',
    databaseUrl: url.toString(),
    label: 'PostgreSQL',
    target: '30 ms',
    command: 'postgres',
  });
}
