import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '../src/accounts/create-api-key.js';
import { ensureDefaultOrganisation } from '../src/accounts/create-organisation.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { post, throughput } from './http-load.js';
import { fmt, median, percentile } from './stats.js';
import { machine, waitFor, writeSection } from './report.js';

const BIN = fileURLToPath(new URL('../bin/guichet.js', import.meta.url));
const UPSTREAM = fileURLToPath(new URL('./upstream.mjs', import.meta.url));

/** CPU time (user + system) a process has used, in ms; NaN where /proc is unavailable. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** The `paced` model of bench/upstream.mjs: tokens streamed one by one, like a model server. */
const PACED_TOKENS = 16;
const PACED_INTERVAL_MS = 10;
/** The `paced-long` model: the same with more tokens; the CPU difference is that of the events. */
const PACED_LONG_TOKENS = 116;
const PACED_LONG_REQUESTS = 640;

/**
 * Chat completions through Guichet (auth, quota, usage, routing, SSE re-encoding) to a fast loopback
 * upstream, against the same requests sent straight to that upstream, in the same run.
 */
export async function benchProxy(corpusDataDir: string): Promise<void> {
  const upstream = spawn(process.execPath, [UPSTREAM], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PACED_TOKENS: String(PACED_TOKENS),
      PACED_LONG_TOKENS: String(PACED_LONG_TOKENS),
      PACED_INTERVAL_MS: String(PACED_INTERVAL_MS),
    },
  });
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
    `providers:\n  - id: bench\n    type: openai-compatible\n    base_url: http://127.0.0.1:${upPort}/v1\n    models: [fast, paced, paced-long]\n    local: true\n    max_concurrency: 512\naccounts:\n  max_concurrent:\n    key: null\n    org: null\n`,
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
  const cpuBefore = cpuMs(guichet.pid!);
  const rpsVia = await throughput(() => post(via, body, auth), 4000, 64);
  const cpuPerRequest = (cpuMs(guichet.pid!) - cpuBefore) / 4000;
  const rpsDirect2 = await throughput(() => post(direct, body, {}), 4000, 64);
  const bestDirect = Math.max(rpsDirect, rpsDirect2);
  // The same concurrency against an upstream that takes its time, as a model server does.
  const pacedBody = JSON.stringify({
    model: 'paced',
    stream: true,
    messages: [{ role: 'user', content: 'Bonjour.' }],
  });
  const pacedDirect = await throughput(() => post(direct, pacedBody, {}), 2000, 64);
  const cpuBeforePaced = cpuMs(guichet.pid!);
  const pacedVia = await throughput(() => post(via, pacedBody, auth), 2000, 64);
  const cpuPaced = (cpuMs(guichet.pid!) - cpuBeforePaced) / 2000;
  const pacedDirect2 = await throughput(() => post(direct, pacedBody, {}), 2000, 64);
  const bestPaced = Math.max(pacedDirect, pacedDirect2);
  // The same streams with 100 more tokens each: the CPU added per request, over 100, is that of one
  // relayed event (read, parsed, re-encoded, written), the request's own cost cancelling out.
  const longBody = pacedBody.replace('"paced"', '"paced-long"');
  const cpuBeforeLong = cpuMs(guichet.pid!);
  await throughput(() => post(via, longBody, auth), PACED_LONG_REQUESTS, 64);
  const cpuLong = (cpuMs(guichet.pid!) - cpuBeforeLong) / PACED_LONG_REQUESTS;
  const cpuPerEvent = (cpuLong - cpuPaced) / (PACED_LONG_TOKENS - PACED_TOKENS);
  const coreShare = cpuPerEvent * 64 * (1000 / PACED_INTERVAL_MS); // ms of CPU per second
  guichet.kill('SIGTERM');
  upstream.kill('SIGTERM');

  // CPU left to Guichet per request at 70 % of the direct rate, the other processes costing the same.
  const cores = cpus().length;
  const budget = ((cores * 1000) / bestDirect) * (1 / 0.7 - 1);
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
| temps CPU de \`guichet serve\` par requête relayée (passe ci-dessus) | — | ${fmt(cpuPerRequest)} ms | — | — |
| débit, concurrence 64, amont qui diffuse ${PACED_TOKENS} jetons à ${PACED_INTERVAL_MS} ms d'intervalle (2 000 req.) | ${bestPaced.toFixed(0)} req/s | ${pacedVia.toFixed(0)} req/s | ${((pacedVia / bestPaced) * 100).toFixed(0)} % | (indicatif) |
| temps CPU de \`guichet serve\` par événement SSE relayé (${PACED_LONG_REQUESTS} flux de ${PACED_LONG_TOKENS} jetons comparés aux flux de ${PACED_TOKENS}) | — | ${fmt(cpuPerEvent, 3)} ms | ${((coreShare / 1000) * 100).toFixed(0)} % d'un cœur pour 64 flux à ${Math.round(1000 / PACED_INTERVAL_MS)} jetons/s | — |

Le générateur de charge, l'amont et Guichet partagent les ${cores} cœurs de la machine ; le débit direct retenu est le meilleur de deux passes encadrant la passe via Guichet.

L'amont rapide répond en quelques dixièmes de milliseconde : à concurrence 64, le débit « direct » mesure surtout le
générateur de charge et un serveur HTTP minimal. À travers Guichet, chaque requête coûte en plus le temps CPU indiqué
(analyse HTTP entrante, clé, quotas, journal d'usage, routage, validation, appel sortant, réponse), pris sur les mêmes
cœurs : si le générateur et l'amont gardent leur coût par requête, tenir 70 % laisserait à Guichet au plus
≈ ${fmt(budget, 3)} ms de CPU par requête relayée, hors de portée d'un relais HTTP écrit en Node.js qui analyse et
réémet chaque requête.${rpsVia / bestDirect < 0.7 ? " L'objectif de 70 % n'est donc pas atteint dans cette configuration." : ''}

Les deux dernières lignes, ajoutées pour information, reprennent la même concurrence avec un amont qui se comporte comme un serveur
de modèle : ${PACED_TOKENS} jetons diffusés à ${PACED_INTERVAL_MS} ms d'intervalle (environ ${Math.round(1000 / PACED_INTERVAL_MS)} jetons par seconde,
un petit modèle rapide). Le débit est alors fixé par l'amont, et le rapport dit quelle part le relais en retire ; elles
ne remplacent pas la ligne de l'objectif, mesurée sur l'amont rapide. La dernière en tire le coût CPU d'un
événement relayé : l'écart de temps CPU par requête entre des flux de ${PACED_LONG_TOKENS} et de ${PACED_TOKENS} jetons, divisé par les
${PACED_LONG_TOKENS - PACED_TOKENS} événements de différence (temps utilisateur et système du processus, lecture et écriture des sockets comprises).
Commande : \`npm run bench -- proxy\`.`,
  );
  console.log(
    `proxy: +${fmt(added50)} ms p50, +${fmt(added99)} p99, ttft +${fmt(addedTtft)}, throughput ${((rpsVia / bestDirect) * 100).toFixed(0)}%, cpu ${fmt(cpuPerRequest)} ms/req, paced ${((pacedVia / bestPaced) * 100).toFixed(0)}%, cpu ${fmt(cpuPerEvent, 3)} ms/event`,
  );
}
