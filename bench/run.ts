/**
 * `npm run bench [-- ingest|search|proxy|privacy|postgres|backup|isolation|ocr|ui …]`: runs the benchmarks and writes BENCHMARKS.md.
 * Without arguments, everything. Machines are shared and noisy: figures are medians and ratios
 * measured within one run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchBackup } from './backup.js';
import { benchIngest } from './ingest.js';
import { benchIsolation } from './isolation.js';
import { benchOcr } from './ocr.js';
import { benchPostgres } from './postgres.js';
import { benchPrivacy } from './privacy.js';
import { benchProxy } from './proxy.js';
import { benchSearch } from './search.js';

const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);

let dataDir = process.env.GUICHET_BENCH_DATA_DIR ?? '';
if (want('ingest') || !dataDir || !existsSync(join(dataDir, 'guichet.sqlite'))) {
  dataDir = benchIngest().dataDir;
}
if (want('search')) await benchSearch({ dataDir, label: 'SQLite', target: '20 ms', command: 'search' });
if (want('proxy')) await benchProxy(dataDir);
if (want('privacy')) benchPrivacy();
if (want('isolation')) await benchIsolation(dataDir);
if (want('postgres')) await benchPostgres();
if (want('backup')) await benchBackup(dataDir);
if (want('ocr')) await benchOcr();
if (want('ui')) {
  // The browser suite measures the first token on screen; asked to, it writes its section.
  const r = spawnSync('npx', ['vitest', 'run', 'test/browser/ui.test.ts'], {
    stdio: 'inherit',
    env: { ...process.env, GUICHET_WRITE_BENCHMARKS: '1' },
  });
  if (r.status !== 0) process.exitCode = 1;
}
console.log('BENCHMARKS.md mis à jour.');
