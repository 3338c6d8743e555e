/**
 * `npm run bench -- isolation`: hostile uploads from two organisations (55 KB of nested HTML, a
 * 120 KB PDF listing one page 20,000 times, a 42 MB DOCX) sent together to a real `guichet serve`,
 * while a probe asks `/health` and a third organisation searches. Targets: /health p99 ≤ 100 ms,
 * the third organisation's search p99 ≤ 50 ms. The client runs in this process, the server in its
 * own; multipart bodies are built before the measurement. `BENCH_NODE_ARGS` adds Node flags to the
 * server (`--cpu-prof --cpu-prof-dir=…` to see what holds its event loop).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '../src/accounts/create-api-key.js';
import { ensureDefaultOrganisation } from '../src/accounts/create-organisation.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { createCollection } from '../src/usecases/manage-collections.js';
import { prepareSend } from '../test/hostile/app.js';
import { bigDocx, nestedHtml, repeatedPagePdf } from '../test/hostile/fixtures.js';
import { machine, waitFor, writeSection } from './report.js';
import { fmt, percentile } from './stats.js';

const BIN = fileURLToPath(new URL('../bin/guichet.js', import.meta.url));
const RAG_DEV = fileURLToPath(new URL('../eval/rag-dev.jsonl', import.meta.url));
const ROUNDS = 3;
/** Measurements in one run (each: 5 s at rest, then the uploads): one p99 alone is noisy. */
const PASSES = 3;

/** Calls `once` one after the other, `everyMs` apart, until stopped; returns the latencies. */
function loop(once: () => Promise<void>, everyMs: number) {
  const times: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      await once();
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return times;
    },
  };
}

export async function benchIsolation(corpusDataDir: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'guichet-bench-isolation-'));
  cpSync(join(corpusDataDir, 'guichet.sqlite'), join(dataDir, 'guichet.sqlite'));
  const store = openSqliteStore(dataDir);
  await ensureDefaultOrganisation(store, 'default');
  const keys: Record<string, string> = {};
  const collections: Record<string, string> = {};
  for (const org of ['mairie-a', 'mairie-b', 'mairie-c']) {
    await store.accounts.orgs.create({ id: org, name: org });
    keys[org] = (await createApiKey({ store, orgId: org, role: 'admin', name: 'bench' })).key;
    collections[org] = (await createCollection({ store, orgId: org, name: `Documents ${org}` })).id;
  }
  await store.close();
  const config = join(dataDir, 'guichet.yaml');
  const extra = process.env.BENCH_NO_MEMORY_INDEX ? 'search:\n  memory_index: false\n' : '';
  writeFileSync(config, `documents:\n  max_upload_bytes: 62914560\n${extra}`);
  const guichet = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), BIN, 'serve', '--port', '0'],
    {
      env: { ...process.env, GUICHET_DATA_DIR: dataDir, GUICHET_CONFIG: config, GUICHET_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const url = (await waitFor(guichet, /écoute sur (http:\/\/[\d.]+:\d+)/))[1];
    // Until the in-memory index is up, searches are the store's: wait for it, as in service.
    for (let i = 0; i < 600; i++) {
      const h = (await (await fetch(`${url}/health`)).json()) as { lexical_memory_index?: boolean };
      if (h.lexical_memory_index) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const questions = readFileSync(RAG_DEV, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { question: string }).question);
    let q = 0;
    const search = async () => {
      const res = await fetch(`${url}/v1/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys['mairie-c']}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: questions[q++ % questions.length], k: 5 }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`search ${res.status}`);
    };
    const health = async () => {
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
    };
    for (let i = 0; i < 100; i++) await search(); // warm

    // Uploads are sent by a child process (test/hostile/send.mjs): this process only measures.
    const files = [
      { org: 'mairie-a', bytes: nestedHtml(5_000), fileName: 'imbrique.html' },
      { org: 'mairie-a', bytes: repeatedPagePdf(20_000), fileName: 'pages.pdf' },
      { org: 'mairie-b', bytes: bigDocx(42), fileName: 'grand.docx' },
      { org: 'mairie-b', bytes: nestedHtml(5_000), fileName: 'imbrique-b.html' },
    ];
    const uploads = files.map((f) => ({ ...f, url, key: keys[f.org], collection: collections[f.org] }));
    const send = prepareSend(uploads);
    const sizes = uploads
      .map((u) => `${u.fileName} ${(u.bytes.length / 1024 / 1024).toFixed(2)} Mo`)
      .join(', ');

    const outcomes: { fileName: string; status: number; ms: number }[] = [];
    const passes: {
      idleHealth: number[];
      idleSearch: number[];
      busyHealth: number[];
      busySearch: number[];
      window: number;
    }[] = [];
    for (let pass = 0; pass < PASSES; pass++) {
      // Baseline: nothing else running.
      let h = loop(health, 20);
      let s = loop(search, 5);
      await new Promise((r) => setTimeout(r, 5000));
      const idleHealth = await h.stop();
      const idleSearch = await s.stop();

      h = loop(health, 20);
      s = loop(search, 5);
      const t0 = performance.now();
      for (let round = 0; round < ROUNDS; round++) {
        const results = await send.run();
        results.forEach((r, i) =>
          outcomes.push({ fileName: uploads[i].fileName, status: r.status, ms: r.ms }),
        );
        // Stored documents are deleted after each round but the very last: every round parses again.
        if (round < ROUNDS - 1 || pass < PASSES - 1) {
          for (const [i, r] of results.entries()) {
            if (r.status >= 300 || !r.body?.id) continue;
            await fetch(`${url}/v1/documents/${r.body.id}`, {
              method: 'DELETE',
              headers: { authorization: `Bearer ${keys[uploads[i].org]}` },
            });
          }
        }
      }
      const window = performance.now() - t0;
      passes.push({ idleHealth, idleSearch, busyHealth: await h.stop(), busySearch: await s.stop(), window });
    }
    send.dispose();
    const all = (k: 'idleHealth' | 'idleSearch' | 'busyHealth' | 'busySearch') => passes.flatMap((p) => p[k]);

    const byFile = uploads
      .map((u) => {
        const rows = outcomes.filter((o) => o.fileName === u.fileName);
        return `| ${u.fileName} (${u.org}) | ${[...new Set(rows.map((r) => r.status))].join(', ')} | ${fmt(
          percentile(
            rows.map((r) => r.ms),
            50,
          ),
          0,
        )} ms |`;
      })
      .join('\n');
    const row = (label: string, idle: number[], busy: number[], target: string) =>
      `| ${label} | ${fmt(percentile(idle, 50))} / ${fmt(percentile(idle, 99))} ms | ${fmt(percentile(busy, 50))} / ${fmt(percentile(busy, 99))} ms (${busy.length} mesures) | ${target} |`;
    const met = (x: number, target: number) => (x <= target ? 'atteint' : 'manqué');
    const perPass = passes
      .map((p, i) => {
        const hp = percentile(p.busyHealth, 99);
        const sp = percentile(p.busySearch, 99);
        return `| ${i + 1} | ${fmt(p.window / 1000, 1)} s | ${fmt(hp)} ms (${met(hp, 100)}) | ${fmt(sp)} ms (${met(sp, 50)}) |`;
      })
      .join('\n');
    writeSection(
      'Isolation : envois hostiles de deux organisations',
      `Machine : ${machine()}

\`npm run bench -- isolation\` : un \`guichet serve\` (SQLite, corpus intégré, index lexical en mémoire) reçoit,
à chacun des ${PASSES} passages, ${ROUNDS} fois ensemble les envois de deux organisations (${sizes}) — analysés dans
le groupe de processus légers (\`documents.parse_*\`) — pendant qu'une sonde appelle \`/health\` toutes les 20 ms
et qu'une troisième organisation enchaîne des recherches (questions de \`rag-dev.jsonl\`, k = 5). Chaque passage
commence par 5 s au repos. Le client de mesure et l'expéditeur (un processus Node à part) tournent sur la même
machine que le serveur : leur temps de calcul est pris sur les mêmes cœurs.

| Passage | fenêtre | /health p99 (objectif ≤ 100 ms) | recherche p99 (objectif ≤ 50 ms) |
|---|---|---|---|
${perPass}

Les ${PASSES} passages ensemble :

| Mesure | au repos p50 / p99 | pendant les envois p50 / p99 | objectif (p99) |
|---|---|---|---|
${row('/health', all('idleHealth'), all('busyHealth'), '≤ 100 ms')}
${row('recherche (3e organisation)', all('idleSearch'), all('busySearch'), '≤ 50 ms')}

| Fichier | statut | durée médiane de l'envoi |
|---|---|---|
${byFile}

Le PDF est refusé (422 : 20 000 pages annoncées, limite 2 000) ; le HTML imbriqué est ramené à 64 niveaux puis
analysé ; le DOCX (images jamais lues) est analysé dans un processus léger limité en temps et en mémoire.
Machine partagée : les percentiles varient d'une exécution à l'autre.`,
    );
    console.log(
      `isolation: /health p99 ${passes.map((p) => fmt(percentile(p.busyHealth, 99))).join(' / ')} ms, search p99 ${passes.map((p) => fmt(percentile(p.busySearch, 99))).join(' / ')} ms`,
    );
  } finally {
    guichet.kill('SIGTERM');
    await new Promise((r) => guichet.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
