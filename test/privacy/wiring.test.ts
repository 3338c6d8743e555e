/**
 * The cross-cutting privacy suite: it walks the wiring instead of trusting each route to apply the
 * rules. Every route of the router and every command of the CLI program is classified as reaching
 * a model, an embedder or a reranker, or not (a new route or command that is not classified fails
 * the suite). Each one that reaches a model is then driven, on SQLite and PostgreSQL, with a
 * sensitive organisation (nothing may reach the provider, neither local nor SecNumCloud) and with
 * texts full of personal data from eval/pii-dev.jsonl (no gold value may leave in clear). Every
 * audited action of the store writes its entry, and a server start schedules the purge, on both.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDefaultOrganisation } from '../../src/accounts/create-organisation.js';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import { REWRITE_INSTRUCTIONS } from '../../src/answer/rewrite.js';
import { startPrivacyDuties } from '../../src/cli/commands/serve.js';
import { buildProgram } from '../../src/cli/program.js';
import { composeServices } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import { AUDITED_REPOS } from '../../src/privacy/audited-store.js';
import type { Services } from '../../src/services.js';
import { ingestDocument } from '../../src/usecases/ingest-document.js';
import { openStore } from '../../src/store/index.js';
import { bearer, createTestKey } from '../helpers/accounts.js';
import { startCli } from '../helpers/cli.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';
import {
  lastUserText,
  replyJson,
  replySse,
  startRecordingUpstream,
  type RecordingUpstream,
} from './recording-upstream.js';

const reason = await unreachableReason();
if (reason && process.env.CI === 'true') throw new Error(`${reason} (CI=true : PostgreSQL est requis)`);
if (reason) console.warn(`[wiring] ${reason} : volet PostgreSQL ignoré.`);

interface Gold {
  id: string;
  text: string;
  spans: { value: string }[];
}
const GOLD: Gold[] = readFileSync(new URL('../../eval/pii-dev.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Gold);
/** A few texts of the gold set per request (the whole set is sent by pseudonymisation.test.ts). */
const SAMPLE = GOLD.filter((g) => g.text.length < 600).slice(0, 8);
const GOLD_VALUES = [...new Set(SAMPLE.flatMap((g) => g.spans.map((s) => s.value)))].filter(
  (v) => v.length >= 4,
);
const TOPIC = 'Délai de la carte de stationnement';
const NOTE =
  '# Suivi des demandes de carte de stationnement\n\n' +
  `La carte de stationnement est envoyée sous deux mois. Dossiers suivis : ${SAMPLE.map((g) => g.text).join(' ')}\n`;
const questions = () => SAMPLE.map((g) => `${TOPIC} ? ${g.text}`);

// ---- Classification (a route or command missing here fails the suite) ----

/** Routes that can send text to a model, an embedder or a reranker. */
const MODEL_ROUTES = [
  'POST /v1/chat/completions',
  'POST /v1/conversations/:id/messages',
  'POST /v1/search',
  'POST /v1/embeddings',
  'POST /v1/documents',
] as const;
/** Routes that never do (accounts, listings, audit, static files…). */
const NO_MODEL_ROUTES = [
  'GET /health',
  'POST /auth/key',
  'GET /installation',
  'POST /installation',
  'PUT /v1/admin/retention',
  'PATCH /v1/conversations/:id', // a title masked locally
  'POST /v1/admin/knowledge/refresh', // the DILA's public archives: nothing of a user's is sent
  'GET /v1/admin/backups',
  'POST /v1/admin/backups',
  'GET /vendor/:name',
  'GET /auth/login',
  'GET /auth/callback',
  'POST /auth/logout',
  'GET /auth/session',
  'GET /v1/me',
  'GET /v1/usage',
  'POST /v1/organisations',
  'GET /v1/organisations',
  'POST /v1/users',
  'GET /v1/users',
  'PATCH /v1/users/:id',
  'GET /v1/admin/services',
  'POST /v1/admin/services',
  'PATCH /v1/admin/services/:id',
  'DELETE /v1/admin/services/:id',
  'GET /v1/admin/pilot', // figures from the store; refused questions pseudonymised locally
  'GET /v1/admin/pilot/compare',
  'PUT /v1/admin/pilot',
  'POST /v1/users/:id/move',
  'POST /v1/keys',
  'GET /v1/keys',
  'DELETE /v1/keys/:id',
  'GET /v1/quotas',
  'PUT /v1/quotas',
  'GET /v1/models',
  'GET /v1/models/:id',
  'GET /v1/privacy/users/:id/export',
  'DELETE /v1/privacy/users/:id',
  'GET /v1/admin/audit',
  'POST /v1/admin/audit/verify',
  'GET /v1/admin/retention',
  'GET /v1/admin/data-flows',
  'POST /v1/collections',
  'GET /v1/collections',
  'GET /v1/collections/:id',
  'PATCH /v1/collections/:id',
  'DELETE /v1/collections/:id',
  'GET /v1/documents',
  'GET /v1/documents/:id',
  'DELETE /v1/documents/:id',
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/assets/:file',
  'GET /v1/conversations',
  'POST /v1/conversations',
  'GET /v1/conversations/:id',
  'DELETE /v1/conversations/:id',
  'POST /v1/conversations/:id/messages/:messageId/feedback',
  'GET /v1/feedback',
  // The AI training: course files, quizzes and attempts, all local.
  'GET /v1/training',
  'POST /v1/training/quiz',
  'POST /v1/training/quiz/:id/answers',
  'GET /v1/admin/training/completions',
  // The national corpus (public data) is not embedded at ingestion.
  'POST /v1/admin/ingest/service-public',
  'GET /v1/admin/jobs/:id',
  'GET /metrics',
  'GET /',
  'GET /index.html',
  'GET /assets/*',
  'GET /dsfr/*',
  'GET /favicon.ico',
  'GET /admin/:section', // a redirect to the console's hash route
  'GET /v1/admin/ai-tools', // the inventory of AI tools: declared, never sent anywhere
  'POST /v1/admin/ai-tools',
  'GET /v1/admin/ai-tools/:id',
  'PATCH /v1/admin/ai-tools/guichet', // the organisation's DPIA fields of Guichet's entry
  'PATCH /v1/admin/ai-tools/:id',
  'DELETE /v1/admin/ai-tools/:id',
  'POST /v1/conversations/:id/messages/:messageId/review',
];
/** CLI commands that can send text to a model, an embedder or a reranker (`serve`: the routes). */
const MODEL_COMMANDS = [
  'search',
  'ask',
  'eval retrieval',
  'eval answers',
  'documents add',
  'collections sync',
] as const;
const NO_MODEL_COMMANDS = [
  'serve', // its routes are the HTTP half of this suite
  'doctor', // a fixed probe text, never a user's
  'ingest service-public',
  'ingest travail-emploi', // a public corpus from an npm package
  'setup-link',
  'quotas show',
  'quotas set',
  'quotas clear',
  'backup', // a copy of the store on disk
  'restore',
  'migrate',
  'orgs create',
  'orgs list',
  'users add',
  'users list',
  'users set-service',
  'services list',
  'services add',
  'services rename',
  'services delete',
  'services pilot',
  'services pilot-export', // figures from the store, pseudonymised locally
  'users move',
  'keys create',
  'keys list',
  'keys revoke',
  'collections create',
  'collections list',
  'collections delete',
  'documents list',
  'documents remove',
  'privacy detect', // local detection, nothing sent
  'privacy purge',
  'privacy export',
  'privacy erase',
  'privacy register',
  'audit verify',
  'audit list',
  'sovereignty report',
  'migrate-store',
  'ai-tools list',
  'ai-tools add',
  'ai-tools export',
];
/** Audited events exercised elsewhere: sessions need an OIDC issuer (test/accounts/oidc.test.ts). */
const AUDITED_ELSEWHERE = new Set(['session.signed_in', 'session.signed_out']);

// ---- A scripted upstream: a foreign provider, neither local nor SecNumCloud ----

let upstream: RecordingUpstream;
beforeAll(async () => {
  upstream = await startRecordingUpstream((body, res: ServerResponse) => {
    if (Array.isArray(body?.documents)) {
      // `/v1/rerank` (search.reranker): the documents in reverse order.
      const n = body.documents.length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          results: body.documents
            .map((_d: unknown, index: number) => ({ index, relevance_score: n - index }))
            .reverse(),
        }),
      );
      return;
    }
    if (Array.isArray(body?.input) || typeof body?.input === 'string') {
      const input: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: input.map((_t, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
          usage: { prompt_tokens: 3, total_tokens: 3 },
        }),
      );
      return;
    }
    const text = `Selon la source [1] : ${lastUserText(body)}`;
    if (body?.stream) replySse(res, text);
    else replyJson(res, text);
  });
});
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await upstream?.close();
}, 60_000);

/** The embedding model is configured where the store keeps vectors (PostgreSQL without pgvector does not). */
const providerConfig = (vectors = true) => ({
  providers: [
    {
      id: 'foreign',
      type: 'openai-compatible',
      base_url: upstream.baseUrl,
      models: ['m1', 'e1'],
      local: false,
      sovereignty: {
        operator: 'Hyperscaler Inc.',
        country: 'US',
        hosting: 'Francfort (DE)',
        certifications: [],
        foreign_laws: ['US CLOUD Act'],
      },
    },
  ],
  models: [{ id: 'guichet', targets: ['foreign:m1'] }],
  search: {
    ...(vectors ? { embedding_model: 'foreign:e1' } : {}),
    // The model stages of the search send text out too: query rewriting and `/v1/rerank`.
    rewrite: { model: 'foreign:m1' },
    reranker: { provider: 'foreign', model: 'rr' },
  },
});

const seenSince = (n: number) =>
  upstream.raw
    .slice(n)
    .map((b) => b.toString('utf8'))
    .join('\n');
const leaked = (seen: string) =>
  GOLD_VALUES.filter((v) => seen.includes(v) || seen.includes(JSON.stringify(v).slice(1, -1)));

// ---- Classification checks ----

function leafCommands(c: Command, prefix: string[] = []): string[] {
  return c.commands.flatMap((s) => {
    const name = [...prefix, s.name()];
    return s.commands.length ? leafCommands(s, name) : [name.join(' ')];
  });
}

describe('classification', () => {
  it('every route of the router is classified (reaches a model or not)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-wiring-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = loadConfig({
      env: {},
      overrides: { data_dir: dir, log_level: 'silent', metrics: { enabled: true, public: true } },
    });
    const services = composeServices({ config, store: await openStore({ dataDir: dir }), env: {} });
    cleanups.push(() => services.close());
    const routes = new Set(
      createApp(services)
        .routes.filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path}`),
    );
    const known = new Set<string>([...MODEL_ROUTES, ...NO_MODEL_ROUTES]);
    expect([...routes].filter((r) => !known.has(r))).toEqual([]);
    for (const r of MODEL_ROUTES) expect(routes.has(r), r).toBe(true);
  });

  it('every command of the CLI program is classified (reaches a model or not)', async () => {
    const commands = leafCommands(await buildProgram(['node', 'guichet']));
    const known = new Set<string>([...MODEL_COMMANDS, ...NO_MODEL_COMMANDS]);
    expect(commands.filter((c) => !known.has(c))).toEqual([]);
    for (const c of MODEL_COMMANDS) expect(commands, c).toContain(c);
  });
});

// ---- The engines ----

interface Engine {
  name: string;
  /** Environment of a CLI run and configuration overrides of an in-process app. */
  setup(): Promise<{ env: Record<string, string>; overrides: Record<string, unknown> }>;
}
const engines: Engine[] = [
  {
    name: 'sqlite',
    setup: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'guichet-wiring-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return { env: { GUICHET_DATA_DIR: dir }, overrides: { data_dir: dir } };
    },
  },
  ...(reason
    ? []
    : [
        {
          name: 'postgres',
          setup: async () => {
            const db = await createDatabase();
            cleanups.push(() => dropDatabase(db.name));
            const dir = mkdtempSync(join(tmpdir(), 'guichet-wiring-'));
            cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
            return {
              env: { GUICHET_DATA_DIR: dir, DATABASE_URL: db.url },
              overrides: { data_dir: dir, store: { database_url: db.url } },
            };
          },
        },
      ]),
];

describe.each(engines)('on $name', (engine) => {
  let services: Services;
  let url: string;
  let env: Record<string, string>;
  let vectors = true;

  beforeAll(async () => {
    const setup = await engine.setup();
    env = setup.env;
    const store = await openStore({
      dataDir: String(setup.overrides.data_dir),
      databaseUrl: setup.env.DATABASE_URL,
      postgres: { logger: { warn: () => undefined } },
    });
    vectors = store.info.vectors;
    if (!vectors)
      console.warn(
        `[wiring] ${engine.name} sans vecteurs (pgvector absent) : modèle d'embeddings non configuré.`,
      );
    const config = loadConfig({
      env: {},
      overrides: { ...setup.overrides, log_level: 'silent', ...providerConfig(vectors) },
    });
    await ensureDefaultOrganisation(store, DEFAULT_ORG_ID);
    services = composeServices({ config, store, env: {} });
    const app = createApp(services);
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    // Idle connections outlive the long CLI test (no reuse of a socket the server just closed).
    (server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 600_000;
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cleanups.push(async () => {
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await services.close();
    });
  }, 120_000);

  /** An organisation with a private collection holding the note, and an admin key. */
  async function organisation(id: string, sensitive: boolean): Promise<{ key: string; collection: string }> {
    if (!(await services.store.accounts.orgs.get(id)))
      await services.store.accounts.orgs.create({ id, name: `Organisation ${id}`, sensitive });
    const key = await createTestKey(services.store, { orgId: id, role: 'admin' });
    const created = await fetch(`${url}/v1/collections`, {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({ name: 'Notes du guichet', visibility: 'private' }),
    });
    expect(created.status).toBe(201);
    const collection = ((await created.json()) as { id: string }).id;
    // A second publication on the topic: the reranker has something to reorder.
    await ingestDocument({
      store: services.store,
      orgId: id,
      collectionId: collection,
      fileName: 'pieces.md',
      bytes: Buffer.from(
        `# ${TOPIC} : pièces à fournir\n\nFormulaire de demande de carte de stationnement et certificat médical.\n`,
      ),
      chunkTokens: 350,
      maxBytes: 1_000_000,
    });
    return { key, collection };
  }

  /** Drives each model route once per question; returns the statuses seen. */
  async function driveRoutes(key: string, collection: string): Promise<Record<string, number[]>> {
    const statuses: Record<string, number[]> = {};
    const call = async (route: (typeof MODEL_ROUTES)[number], res: Promise<Response>) => {
      const r = await res;
      await r.text();
      (statuses[route] ??= []).push(r.status);
    };
    const form = new FormData();
    form.set('collection', collection);
    form.set('file', new Blob([NOTE]), 'suivi.md');
    await call(
      'POST /v1/documents',
      fetch(`${url}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: form,
      }),
    );
    for (const q of questions()) {
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, { method: 'POST', headers: bearer(key), body: JSON.stringify(body) });
      for (const stream of [false, true])
        await call(
          'POST /v1/chat/completions',
          post('/v1/chat/completions', {
            model: 'guichet',
            stream,
            messages: [{ role: 'user', content: q }],
          }),
        );
      await call(
        'POST /v1/conversations/:id/messages',
        post('/v1/conversations/new/messages', { content: q }),
      );
      await call('POST /v1/search', post('/v1/search', { query: q, k: 3 }));
      await call('POST /v1/embeddings', post('/v1/embeddings', { model: 'foreign:e1', input: [q] }));
    }
    return statuses;
  }

  it('a sensitive organisation reaches no provider neither local nor SecNumCloud, through any model route', async () => {
    const { key, collection } = await organisation('hopital', true);
    const before = upstream.raw.length;
    const statuses = await driveRoutes(key, collection);
    expect(Object.keys(statuses).sort()).toEqual([...MODEL_ROUTES].sort());
    expect(upstream.raw.length - before).toBe(0);
    // Served locally (200/201) where a local path exists; refused (403) where none does.
    expect(statuses['POST /v1/chat/completions'].every((s) => s === 200)).toBe(true);
    expect(statuses['POST /v1/conversations/:id/messages'].every((s) => s === 200)).toBe(true);
    expect(statuses['POST /v1/search'].every((s) => s === 200)).toBe(true);
    expect(statuses['POST /v1/documents']).toEqual([201]);
    expect(statuses['POST /v1/embeddings'].every((s) => s === 403)).toBe(true);
  }, 300_000);

  it('an ordinary organisation: no gold personal value leaves in clear, through any model route', async () => {
    const { key, collection } = await organisation('mairie', false);
    const before = upstream.raw.length;
    const statuses = await driveRoutes(key, collection);
    for (const [route, s] of Object.entries(statuses))
      expect(
        s.every((x) => x < 300),
        route,
      ).toBe(true);
    const seen = seenSince(before);
    expect(upstream.raw.length - before).toBeGreaterThan(SAMPLE.length);
    expect(seen).toContain('carte de stationnement');
    // Query rewriting and re-ranking were exercised (their texts are in `seen`).
    expect(seen).toContain(JSON.stringify(REWRITE_INSTRUCTIONS).slice(1, 60));
    expect(seen).toContain('POST /v1/rerank');
    expect(leaked(seen)).toEqual([]);
  }, 300_000);

  it('every CLI command that reaches a model: nothing for a sensitive organisation, no gold value in clear for the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-wiring-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const configPath = join(dir, 'guichet.json');
    writeFileSync(configPath, JSON.stringify(providerConfig(vectors)));
    const note = join(dir, 'suivi.md');
    writeFileSync(note, NOTE);
    const questionsFile = join(dir, 'questions.jsonl');
    writeFileSync(
      questionsFile,
      questions()
        .map((q, i) => JSON.stringify({ id: `q${i}`, question: q }))
        .join('\n'),
    );
    const cliEnv = { ...env, GUICHET_CONFIG: configPath };
    // In a child process, awaited without blocking: the scripted upstream lives in this process.
    const cli = async (args: string[]): Promise<string> => {
      const child = startCli(args, cliEnv);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const status = await new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      expect(status, `${args.join(' ')}: ${stdout} ${stderr}`).toBe(0);
      return stdout;
    };
    const collectionOf = async (org: string) =>
      (
        JSON.parse(await cli(['collections', 'create', '--name', 'Notes CLI', '--org', org, '--json'])) as {
          id: string;
        }
      ).id;
    const q = questions()[0];
    const exercised = new Set<string>();
    const run = async (org: string, collection: string) => {
      await cli(['documents', 'add', '--collection', collection, '--org', org, note]);
      exercised.add('documents add');
      const shared = join(dir, `partage-${org}`);
      mkdirSync(shared, { recursive: true });
      writeFileSync(join(shared, 'suivi-partage.md'), `${NOTE}\n\nCopie du dossier partagé.\n`);
      await cli(['collections', 'sync', collection, shared, '--org', org]);
      exercised.add('collections sync');
      await cli(['search', q, '--org', org, '--json']);
      exercised.add('search');
      await cli(['ask', q, '--org', org, '--json']);
      exercised.add('ask');
    };
    // Sensitive organisation: nothing reaches the foreign provider.
    const hopital = await collectionOf('hopital');
    let before = upstream.raw.length;
    await run('hopital', hopital);
    expect(upstream.raw.length - before).toBe(0);
    // The default organisation (the evaluation commands run under its policy): pseudonymised.
    const mairie = await collectionOf('default');
    before = upstream.raw.length;
    await run('default', mairie);
    await cli(['eval', 'retrieval', '--questions', questionsFile, '--collection', mairie, '--json']);
    exercised.add('eval retrieval');
    await cli(['eval', 'answers', '--questions', questionsFile, '--collection', mairie, '--json']);
    exercised.add('eval answers');
    expect([...exercised].sort()).toEqual([...MODEL_COMMANDS].sort());
    expect(upstream.raw.length - before).toBeGreaterThan(4);
    expect(leaked(seenSince(before))).toEqual([]);
  }, 600_000);

  it('every audited action writes its audit entry, and a server start schedules the purge', async () => {
    const admin = await createTestKey(services.store, { role: 'superadmin' });
    const post = (path: string, body: unknown, method = 'POST') =>
      fetch(`${url}${path}`, { method, headers: bearer(admin), body: JSON.stringify(body) });
    expect((await post('/v1/organisations', { id: 'audit-org', name: 'Mairie auditée' })).status).toBe(201);
    expect(
      (await post('/v1/users', { email: 'agent@audit.fr', name: 'Agent', org_id: 'audit-org' })).status,
    ).toBeLessThan(300);
    const svc = await post('/v1/admin/services', { name: 'Accueil', org_id: 'audit-org' });
    const svcId = ((await svc.json()) as { id: string }).id;
    expect((await post(`/v1/admin/services/${svcId}`, { pilot_since: '2026-11-02' }, 'PATCH')).status).toBe(
      200,
    );
    expect((await post('/v1/admin/pilot', { since: '2026-11-02', org_id: 'audit-org' }, 'PUT')).status).toBe(
      200,
    );
    expect(
      (await fetch(`${url}/v1/admin/services/${svcId}`, { method: 'DELETE', headers: bearer(admin) })).status,
    ).toBe(200);
    const person = (await services.store.accounts.users.getByEmail('agent@audit.fr'))!;
    expect((await post(`/v1/users/${person.id}/move`, { org_id: 'default' })).status).toBe(200);
    const createdKey = await post('/v1/keys', { org_id: 'audit-org', role: 'agent' });
    const key = (await createdKey.json()) as { id: string };
    expect(createdKey.status, JSON.stringify(key)).toBe(201);
    expect(
      (await fetch(`${url}/v1/keys/${key.id}`, { method: 'DELETE', headers: bearer(admin) })).status,
    ).toBe(200);
    expect((await post('/v1/quotas', { org_id: 'audit-org', requests_per_minute: 10 }, 'PUT')).status).toBe(
      200,
    );
    const col = (await (await post('/v1/collections', { name: 'Auditée' })).json()) as { id: string };
    expect((await post(`/v1/collections/${col.id}`, { description: 'modifiée' }, 'PATCH')).status).toBe(200);
    const upload = async (name: string) => {
      const form = new FormData();
      form.set('collection', col.id);
      form.set('file', new Blob([`# Note ${name}\n\nUn texte.\n`]), name);
      const r = await fetch(`${url}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
        body: form,
      });
      expect(r.status).toBe(201);
      return ((await r.json()) as { document?: { id: string }; id?: string }).id!;
    };
    const doc = await upload('a.md');
    await upload('b.md');
    expect(
      (await fetch(`${url}/v1/documents/${doc}`, { method: 'DELETE', headers: bearer(admin) })).status,
    ).toBe(200);
    // `guichet quotas clear` removes limits through the store itself.
    await services.store.accounts.quotas.remove('org', 'audit-org');
    // The service-public ingestion's bulk writes (putMany, deleteMissing) through the store itself.
    await services.store.documents.putMany([]);
    expect(await services.store.documents.deleteMissing(col.id, new Set())).toBe(1);
    expect(
      (await fetch(`${url}/v1/collections/${col.id}`, { method: 'DELETE', headers: bearer(admin) })).status,
    ).toBe(200);

    // The inventory of AI tools.
    const tool = (await (await post('/v1/admin/ai-tools', { name: 'Traducteur' })).json()) as { id: string };
    expect((await post(`/v1/admin/ai-tools/${tool.id}`, { dpia_status: 'done' }, 'PATCH')).status).toBe(200);
    expect(
      (await fetch(`${url}/v1/admin/ai-tools/${tool.id}`, { method: 'DELETE', headers: bearer(admin) }))
        .status,
    ).toBe(200);

    const stop = await startPrivacyDuties(services);
    cleanups.push(stop);
    const types = async () =>
      new Set((await services.store.audit.list({ limit: 10_000 })).map((e) => e.type));
    for (let i = 0; i < 100 && !(await types()).has('privacy.purge'); i++)
      await new Promise((r) => setTimeout(r, 50));
    const seen = await types();
    const declared = AUDITED_REPOS.flatMap((r) =>
      Object.values(r.events).map((e) => `${r.name}.${e}`),
    ).filter((t) => !AUDITED_ELSEWHERE.has(t));
    expect(declared.filter((t) => !seen.has(t))).toEqual([]);
    expect(seen.has('config.loaded')).toBe(true);
    expect(seen.has('privacy.purge')).toBe(true);
    expect((await services.audit.verify()).ok).toBe(true);
  }, 120_000);
});
