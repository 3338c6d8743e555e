import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '../src/accounts/create-api-key.js';
import { ensureDefaultOrganisation } from '../src/accounts/create-organisation.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { post, throughput } from './http-load.js';
import { fmt, median, percentile } from './stats.js';
import { machine, writeSection } from './report.js';

const BIN = fileURLToPath(new URL('../bin/guichet.js', import.meta.url));
const UPSTREAM = fileURLToPath(new URL('./upstream.mjs', import.meta.url));

function waitFor(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) resolve(m);
    });
    child.once('exit', (c) => reject(new Error(`process exited (${c})`)));
  });
}

/**
 * Chat completions through Guichet (auth, quota, usage, routing, SSE re-encoding) to a fast loopback
 * upstream, against the same requests sent straight to that upstream, in the same run.
 */
export async function benchProxy(corpusDataDir: string): Promise<void> {
  const upstream = spawn(process.execPath, [UPSTREAM], { stdio: ['ignore', 'pipe', 'inherit'] });
  const upPort = (await waitFor(upstream, /PORT (\d+)/))[1];
  const dataDir = mkdtempSync(join(tmpdir(), 'guichet-bench-proxy-'));
  cpSync(join(corpusDataDir, 'guichet.sqlite'), join(dataDir, 'guichet.sqlite'));
  const store = openSqliteStore(dataDir);
  await ensureDefaultOrganisation(store, 'default');
  const { key } = await createApiKey({ store, orgId: 'default', role: 'developer', name: 'bench' });
  await store.close();
  const config = join(dataDir, 'guichet.yaml');
  writeFileSync(
    config,
    `providers:\n  - id: bench\n    type: openai-compatible\n    base_url: http://127.0.0.1:${upPort}/v1\n    models: [fast]\n    local: true\n    max_concurrency: 512\n`,
  );
  const guichet = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    env: { ...process.env, GUICHET_DATA_DIR: dataDir, GUICHET_CONFIG: config, GUICHET_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = (await waitFor(guichet, /écoute sur (http:\/\/[\d.]+:\d+)/))[1];
  const direct = `http://127.0.0.1:${upPort}/v1/chat/completions`;
  const via = `${url}/v1/chat/completions`;
  const auth = { authorization: `Bearer ${key}` };
  const body = JSON.stringify({
    model: 'fast',
    messages: [{ role: 'user', content: 'Bonjour, une question courte.' }],
  });
  const streamBody = JSON.stringify({
    model: 'fast',
    stream: true,
    messages: [{ role: 'user', content: 'Bonjour.' }],
  });

  for (let i = 0; i < 300; i++) {
    await post(direct, body, {});
    await post(via, body, auth);
  }
  const seqDirect: number[] = [];
  const seqVia: number[] = [];
  const ttftDirect: number[] = [];
  const ttftVia: number[] = [];
  for (let i = 0; i < 1000; i++) {
    seqDirect.push((await post(direct, body, {})).totalMs);
    seqVia.push((await post(via, body, auth)).totalMs);
  }
  for (let i = 0; i < 500; i++) {
    ttftDirect.push((await post(direct, streamBody, {})).firstTokenMs);
    ttftVia.push((await post(via, streamBody, auth)).firstTokenMs);
  }
  const rpsDirect = await throughput(() => post(direct, body, {}), 4000, 64);
  const rpsVia = await throughput(() => post(via, body, auth), 4000, 64);
  const rpsDirect2 = await throughput(() => post(direct, body, {}), 4000, 64);
  const bestDirect = Math.max(rpsDirect, rpsDirect2);
  guichet.kill('SIGTERM');
  upstream.kill('SIGTERM');

  const added50 = median(seqVia) - median(seqDirect);
  const added99 = percentile(seqVia, 99) - percentile(seqDirect, 99);
  const addedTtft = median(ttftVia) - median(ttftDirect);
  writeSection(
    'Surcoût du relais OpenAI (chat completions)',
    `Machine : ${machine()}

Même amont rapide sur la boucle locale (processus séparé), requêtes envoyées en direct puis à travers \`guichet serve\`
(authentification par clé, quotas, journal d'usage, routage, ré-encodage SSE), dans la même exécution, en alternance.

| mesure | direct | via Guichet | surcoût / rapport | objectif |
|---|---|---|---|---|
| latence p50, concurrence 1 (1 000 req.) | ${fmt(median(seqDirect))} ms | ${fmt(median(seqVia))} ms | +${fmt(added50)} ms | ≤ 2 ms |
| latence p99, concurrence 1 | ${fmt(percentile(seqDirect, 99))} ms | ${fmt(percentile(seqVia, 99))} ms | +${fmt(added99)} ms | — |
| premier jeton p50, flux (500 req.) | ${fmt(median(ttftDirect))} ms | ${fmt(median(ttftVia))} ms | +${fmt(addedTtft)} ms | ≤ 3 ms |
| débit, concurrence 64 (4 000 req.) | ${bestDirect.toFixed(0)} req/s | ${rpsVia.toFixed(0)} req/s | ${((rpsVia / bestDirect) * 100).toFixed(0)} % | ≥ 70 % |

Le générateur de charge, l'amont et Guichet partagent les 2 cœurs de la machine ; le débit direct retenu est le meilleur de deux passes encadrant la passe via Guichet.
Commande : \`npm run bench -- proxy\`.`,
  );
  console.log(
    `proxy: +${fmt(added50)} ms p50, +${fmt(added99)} p99, ttft +${fmt(addedTtft)}, throughput ${((rpsVia / bestDirect) * 100).toFixed(0)}%`,
  );
}
