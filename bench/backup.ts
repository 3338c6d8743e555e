/**
 * `npm run bench -- backup`: `guichet backup` (the real command) of a copy of the ingested corpus
 * with 10,000 conversations (two messages each and some feedback), then `guichet restore` of it
 * into an empty folder: time and size, the corpus left out of the archive.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { machine, writeSection } from './report.js';
import { fmt, median } from './stats.js';

const BIN = fileURLToPath(new URL('../bin/guichet.js', import.meta.url));

function cli(args: string[], env: Record<string, string>): { ms: number; stdout: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, GUICHET_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`guichet ${args[0]} : ${r.stderr}`);
  return { ms: performance.now() - t, stdout: r.stdout };
}

export async function benchBackup(corpusDir: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-bench-backup-'));
  try {
    const data = join(dir, 'data');
    for (const f of ['guichet.sqlite', 'guichet.sqlite-wal', 'guichet.sqlite-shm'])
      if (existsSync(join(corpusDir, f))) cpSync(join(corpusDir, f), join(data, f));
    const store = openSqliteStore(data);
    await store.accounts.orgs.create({ id: 'bench', name: 'Commune de Bench' });
    for (let i = 0; i < 10_000; i++) {
      const c = await store.conversations.create({ orgId: 'bench', userId: null, title: `Question ${i}` });
      await store.conversations.addMessage({
        conversationId: c.id,
        role: 'user',
        content: `Comment renouveler une carte d'identité perdue ? (${i})`,
      });
      const a = await store.conversations.addMessage({
        conversationId: c.id,
        role: 'assistant',
        content: `Selon la fiche [1], la carte perdue se refait en mairie avec un timbre fiscal de 25 euros. (${i})`,
      });
      if (i % 10 === 0)
        await store.conversations.addFeedback({ messageId: a.id, orgId: 'bench', userId: null, rating: 1 });
    }
    await store.close();
    const dbBytes = statSync(join(data, 'guichet.sqlite')).size;
    const backups: number[] = [];
    let file = '';
    let bytes = 0;
    for (let round = 0; round < 3; round++) {
      const out = join(dir, `b${round}`);
      const r = cli(['backup', '--to', `${out}/`, '--json'], { GUICHET_DATA_DIR: data });
      backups.push(r.ms);
      ({ file, bytes } = JSON.parse(r.stdout) as { file: string; bytes: number });
    }
    const restores: number[] = [];
    for (let round = 0; round < 3; round++)
      restores.push(cli(['restore', file, '--data-dir', join(dir, `r${round}`)], {}).ms);
    writeSection(
      'Sauvegarde et restauration',
      `Machine : ${machine()}

Base SQLite du corpus national indexé plus 10 000 conversations (20 000 messages, 1 000 avis) :
${fmt(dbBytes / 1048576, 0)} Mio. \`guichet backup\` (commande complète, processus compris ; copie en ligne,
corpus retiré de la copie, archive zip avec manifeste et empreintes) puis \`guichet restore\` dans un dossier
vide (vérification des empreintes, du journal d'audit et des comptes de lignes). Médianes de 3 passages.

| opération | médiane | taille |
|---|---|---|
| sauvegarde | ${fmt(median(backups) / 1000, 1)} s | archive ${fmt(bytes / 1048576, 1)} Mio |
| restauration | ${fmt(median(restores) / 1000, 1)} s | — |

Le corpus intégré n'est pas copié : il est réindexé au premier démarrage après la restauration (voir
« Ingestion »). Commande : \`npm run bench -- backup\`.`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
