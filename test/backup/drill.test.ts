/**
 * The recovery drill, on SQLite and on PostgreSQL: a store is filled (organisation, people, keys,
 * quotas, usage, a local collection with a document, conversations with feedback, audit entries),
 * backed up by the real `guichet backup` while `guichet serve` answers requests on it, wiped, then
 * restored by the real `guichet restore` into an empty target. Every table is compared with the
 * original, the audit chain verifies (`guichet audit verify`), the restored key authenticates and the
 * restored document is found by search. Unreachable PostgreSQL: that half skips with its reason,
 * except under CI=true where it fails.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../../src/accounts/authenticate-api-key.js';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import { NO_LIMITS } from '../../src/accounts/model.js';
import { AuditLog } from '../../src/privacy/audit-log.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/spec.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { ingestDocument } from '../../src/usecases/ingest-document.js';
import { ingestServicePublic, SERVICE_PUBLIC_COLLECTION } from '../../src/usecases/ingest-service-public.js';
import { searchKnowledge } from '../../src/usecases/search-knowledge.js';
import { runCli, startCli } from '../helpers/cli.js';
import { startServer } from '../helpers/server.js';
import { writeXmlCorpus } from '../knowledge/xml-corpus.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';

const pgReason = await unreachableReason();
if (pgReason && process.env.CI === 'true') throw new Error(`${pgReason} (CI=true : PostgreSQL est requis)`);
if (pgReason) console.warn(`[backup] exercice PostgreSQL ignoré : ${pgReason}`);

/** Tables compared row for row (usage is written by the requests that run during the backup). */
const TABLES = [
  'organisations',
  'users',
  'api_keys',
  'quotas',
  'audit_log',
  'audit_subjects',
  'conversations',
  'messages',
  'feedback',
  'collections',
] as const;
const NOTE =
  "# Cimetière communal\n\nLes concessions funéraires du cimetière de Bellecombe sont accordées pour quinze ans. Le tarif d'une concession est de 180 euros.";

interface Filled {
  key: string;
  collection: string;
}

async function fill(store: Store): Promise<Filled> {
  await store.accounts.orgs.create({ id: 'bellecombe', name: 'Mairie de Bellecombe' });
  const collection = (
    await store.collections.create({ orgId: 'bellecombe', name: 'Mairie', visibility: 'private' })
  ).id;
  await ingestDocument({
    store,
    orgId: 'bellecombe',
    collectionId: collection,
    fileName: 'cimetiere.md',
    bytes: Buffer.from(NOTE),
    chunkTokens: 350,
    maxBytes: 1_000_000,
  });
  const user = await store.accounts.users.create({
    email: 'agent@bellecombe.fr',
    name: 'Agent Accueil',
    orgId: 'bellecombe',
    role: 'agent',
  });
  const key = (
    await createApiKey({
      store,
      orgId: 'bellecombe',
      role: 'developer',
      userId: user.id,
      name: 'intégration',
    })
  ).key;
  await store.accounts.quotas.set('org', 'bellecombe', { ...NO_LIMITS, requestsPerMinute: 600 });
  const audit = new AuditLog(store);
  for (const type of ['key.created', 'collection.created', 'document.added'])
    await audit.append({ type, orgId: 'bellecombe', actorName: 'cli', data: { n: 1 } });
  for (let i = 0; i < 3; i++) {
    const conv = await store.conversations.create({
      orgId: 'bellecombe',
      userId: user.id,
      title: `Question ${i}`,
    });
    await store.conversations.addMessage({
      conversationId: conv.id,
      role: 'user',
      content: 'Tarif concession ?',
    });
    const answer = await store.conversations.addMessage({
      conversationId: conv.id,
      role: 'assistant',
      content: 'Le tarif est de 180 euros [1].',
    });
    await store.conversations.addFeedback({
      messageId: answer.id,
      orgId: 'bellecombe',
      userId: user.id,
      rating: 1,
      tags: ['utile'],
      comment: 'merci',
    });
  }
  return { key, collection };
}

type Rows = Record<string, unknown[]>;

function sqliteRows(file: string): Rows {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()]));
  } finally {
    db.close();
  }
}

async function postgresRows(url: string): Promise<Rows> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Rows = {};
    for (const t of TABLES) out[t] = (await c.query(`SELECT * FROM ${t} ORDER BY 1`)).rows;
    return out;
  } finally {
    await c.end();
  }
}

/** Requests on the running server for as long as `until` is pending: the backup runs under load. */
async function underLoad<T>(
  url: string,
  key: string,
  until: Promise<T>,
): Promise<{ result: T; requests: number }> {
  let done = false;
  let requests = 0;
  const loop = (async () => {
    while (!done) {
      const r = await fetch(`${url}/v1/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'concession cimetière tarif', k: 3 }),
      });
      expect(r.status).toBe(200);
      await r.arrayBuffer();
      requests++;
    }
  })();
  try {
    return { result: await until, requests };
  } finally {
    done = true;
    await loop;
  }
}

function cliAsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = startCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stdout, stderr })));
}

async function checkRestored(store: Store, filled: Filled): Promise<void> {
  const principal = await authenticateApiKey(store, filled.key);
  expect(principal.orgId).toBe('bellecombe');
  const hits = await searchKnowledge({
    store,
    query: 'tarif concession cimetière',
    collectionIds: [filled.collection],
    k: 3,
  });
  expect(hits[0]?.title ?? '').toMatch(/cimeti/i);
  expect((await new AuditLog(store).verify()).ok).toBe(true);
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('recovery drill — SQLite', () => {
  it('backs up under load, restores into an empty folder, and everything is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-drill-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    writeXmlCorpus(join(dir, 'xml'), 40);
    const store = openSqliteStore(data);
    await ingestServicePublic({ store, source: join(dir, 'xml'), chunkTokens: 350 });
    const filled = await fill(store);
    await store.close();

    const env = { GUICHET_DATA_DIR: data };
    const server = await startServer(env);
    let backup;
    try {
      const { result, requests } = await underLoad(
        server.url,
        filled.key,
        cliAsync(['backup', '--to', join(dir, 'sauvegardes/'), '--json'], env),
      );
      backup = result;
      expect(requests).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
    expect(backup.status, backup.stderr).toBe(0);
    const written = JSON.parse(backup.stdout) as {
      file: string;
      manifest: { counts: Record<string, number>; excluded_collections: string[] };
    };
    expect(readdirSync(join(dir, 'sauvegardes'))).toEqual([written.file.split('/').pop()]);
    expect(written.manifest.excluded_collections).toContain(SERVICE_PUBLIC_COLLECTION);
    expect(written.manifest.counts.documents).toBe(1); // the corpus is not copied, the town's note is

    const before = sqliteRows(join(data, 'guichet.sqlite'));
    rmSync(data, { recursive: true });

    const restored = join(dir, 'restauree');
    const r = runCli(['restore', written.file, '--data-dir', restored]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Restauration terminée');
    expect(sqliteRows(join(restored, 'guichet.sqlite'))).toEqual(before);
    const verify = runCli(['audit', 'verify'], { GUICHET_DATA_DIR: restored });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    const back = openSqliteStore(restored);
    try {
      await checkRestored(back, filled);
    } finally {
      await back.close();
    }

    // A second restore into the same folder is refused, and nothing there changes.
    const again = runCli(['restore', written.file, '--data-dir', restored]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/contient déjà une base Guichet.*--force/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(sqliteRows(join(restored, 'guichet.sqlite'))).toEqual(before);
  }, 300_000);

  it('encrypts with a passphrase; a wrong one or a modified byte restores nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-drill-enc-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    const store = openSqliteStore(data);
    const filled = await fill(store);
    await store.close();
    const env = { GUICHET_DATA_DIR: data, GUICHET_BACKUP_PASSPHRASE: 'cheval agrafe correct pile' };
    const b = runCli(['backup', '--to', join(dir, 'b.zip.chiffre'), '--json'], env);
    expect(b.status, b.stderr).toBe(0);
    const file = (JSON.parse(b.stdout) as { file: string }).file;

    const noPass = runCli(['restore', file, '--data-dir', join(dir, 'r0')], {
      GUICHET_BACKUP_PASSPHRASE: '',
    });
    expect(noPass.status).toBe(1);
    expect(noPass.stderr).toMatch(/GUICHET_BACKUP_PASSPHRASE/);
    const wrong = runCli(['restore', file, '--data-dir', join(dir, 'r1')], {
      GUICHET_BACKUP_PASSPHRASE: 'mauvaise',
    });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/phrase de passe incorrecte/);
    const bytes = (await import('node:fs')).readFileSync(file);
    bytes[bytes.length - 100] ^= 1;
    writeFileSync(join(dir, 'modifiee.zip.chiffre'), bytes);
    const tampered = runCli(
      ['restore', join(dir, 'modifiee.zip.chiffre'), '--data-dir', join(dir, 'r2')],
      env,
    );
    expect(tampered.status).toBe(1);
    for (const d of ['r0', 'r1', 'r2']) expect(readdirSync(dir)).not.toContain(d);

    const ok = runCli(['restore', file, '--data-dir', join(dir, 'r3')], env);
    expect(ok.status, ok.stderr).toBe(0);
    const back = openSqliteStore(join(dir, 'r3'));
    try {
      await checkRestored(back, filled);
    } finally {
      await back.close();
    }
  }, 180_000);

  it('refuses what is not a backup, in one French line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-drill-bad-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'faux.zip'), 'pas une archive');
    const r = runCli(['restore', join(dir, 'faux.zip'), '--data-dir', join(dir, 'd')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Erreur : Sauvegarde illisible/);
    expect(readdirSync(dir)).toEqual(['faux.zip']);
    const missing = runCli(['backup', '--to', join(dir, 'x.zip')], { GUICHET_DATA_DIR: join(dir, 'vide') });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/rien à sauvegarder/);
  }, 60_000);
});

describe.skipIf(pgReason !== null)('recovery drill — PostgreSQL', () => {
  it('backs up with pg_dump under load, restores into an empty database, and everything is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-drill-pg-'));
    dirs.push(dir);
    const source = await createDatabase();
    const target = await createDatabase();
    try {
      writeXmlCorpus(join(dir, 'xml'), 40);
      const store = await openPostgresStore({ url: source.url });
      await ingestServicePublic({ store, source: join(dir, 'xml'), chunkTokens: 350 });
      const filled = await fill(store);
      await store.close();

      const env = { DATABASE_URL: source.url, GUICHET_DATA_DIR: join(dir, 'data') };
      const server = await startServer(env);
      let backup;
      try {
        backup = (
          await underLoad(
            server.url,
            filled.key,
            cliAsync(['backup', '--to', join(dir, 'pg.zip'), '--json'], env),
          )
        ).result;
      } finally {
        await server.stop();
      }
      expect(backup.status, backup.stderr).toBe(0);
      const before = await postgresRows(source.url);
      await dropDatabase(source.name);

      const r = runCli(['restore', join(dir, 'pg.zip'), '--database-url', target.url]);
      expect(r.status, r.stderr).toBe(0);
      expect(await postgresRows(target.url)).toEqual(before);
      const verify = runCli(['audit', 'verify'], { DATABASE_URL: target.url });
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      const back = await openPostgresStore({ url: target.url });
      try {
        await checkRestored(back, filled);
      } finally {
        await back.close();
      }
      const again = runCli(['restore', join(dir, 'pg.zip'), '--database-url', target.url]);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/n'est pas vide/);
    } finally {
      await dropDatabase(source.name);
      await dropDatabase(target.name);
    }
  }, 300_000);
});
