import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, writeSection } from './report.js';

const BIN = fileURLToPath(new URL('../bin/guichet.js', import.meta.url));

function timedIngest(dataDir: string, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'TIME %e %M', process.execPath, BIN, 'ingest', 'service-public'],
    {
      env: { ...process.env, GUICHET_DATA_DIR: dataDir, GUICHET_LOG_LEVEL: 'warn', ...extraEnv },
      encoding: 'utf8',
    },
  );
  const m = /TIME ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`ingest failed: ${r.stderr.slice(-500)}`);
  return {
    seconds: Number(m[1]),
    peakMiB: Number(m[2]) / 1024,
    summary: r.stdout.trim().split('\n').pop() ?? '',
  };
}

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/** Cold ingest of the whole built-in corpus, then a re-ingest with nothing changed (SQLite). */
export function benchIngest(): { dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'guichet-bench-'));
  rmSync(dataDir, { recursive: true, force: true });
  const cold = timedIngest(dataDir);
  const size = dirSize(dataDir) / 2 ** 20;
  const warm = timedIngest(dataDir);
  writeSection(
    'Ingestion du corpus intégré (SQLite)',
    `Machine : ${machine()}

| mesure | valeur | objectif |
|---|---|---|
| ingestion à froid (temps total du processus) | ${cold.seconds.toFixed(1)} s | ≤ 60 s |
| pic de mémoire (RSS) | ${cold.peakMiB.toFixed(0)} Mio | ≤ 1 Go |
| taille sur disque | ${size.toFixed(0)} Mio | — |
| ré-ingestion sans changement | ${warm.seconds.toFixed(1)} s | ≤ 15 s |

Résumé à froid : ${cold.summary}
Résumé à chaud : ${warm.summary}

Commande : \`npm run bench -- ingest\` (temps et pic RSS mesurés par \`/usr/bin/time\` sur \`guichet ingest service-public\`, démarrage du processus compris).`,
  );
  console.log(
    `ingest: cold ${cold.seconds}s ${cold.peakMiB.toFixed(0)}MiB, warm ${warm.seconds}s, ${size.toFixed(0)}MiB`,
  );
  return { dataDir };
}
