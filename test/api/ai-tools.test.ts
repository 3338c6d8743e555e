/**
 * The inventory of AI tools (issue 22, part 2) on SQLite and PostgreSQL: Guichet's computed entry,
 * CRUD with French 4xx, permissions (agent refused, DPO reads and writes), organisations kept apart,
 * audit entries, the CSV / Markdown / PDF exports, and the CLI (`guichet ai-tools list|add|export`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDefaultOrganisation } from '../../src/accounts/create-organisation.js';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import { composeServices } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import { CHECKLIST } from '../../src/privacy/ai-tools.js';
import type { Services } from '../../src/services.js';
import { openStore } from '../../src/store/index.js';
import { bearer, createTestKey } from '../helpers/accounts.js';
import { runCli } from '../helpers/cli.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';

/** The text a PDF draws (pdf-lib's content streams: deflated, strings in hex, WinAnsi bytes). */
function pdfText(pdf: Uint8Array): string {
  const raw = Buffer.from(pdf).toString('latin1');
  const out: string[] = [];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
    } catch {
      content = m[1];
    }
    for (const t of content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g))
      out.push(Buffer.from(t[1], 'hex').toString('latin1'));
  }
  return out.join('\n');
}

const reason = await unreachableReason();
if (reason && process.env.CI === 'true') throw new Error(`${reason} (CI=true : PostgreSQL est requis)`);
if (reason) console.warn(`[ai-tools] ${reason} : volet PostgreSQL ignoré.`);

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
}, 60_000);

/** A foreign provider under the US CLOUD Act, and a local one. */
const PROVIDERS = {
  providers: [
    {
      id: 'hyperscaler',
      type: 'openai-compatible',
      base_url: 'https://api.example.com/v1',
      models: ['m1'],
      local: false,
      sovereignty: { operator: 'Hyperscaler Inc.', country: 'US', foreign_laws: ['US CLOUD Act'] },
    },
  ],
};

const engines = [
  { name: 'sqlite', databaseUrl: async (): Promise<string | undefined> => undefined },
  ...(reason
    ? []
    : [
        {
          name: 'postgres',
          databaseUrl: async () => {
            const db = await createDatabase();
            cleanups.push(() => dropDatabase(db.name));
            return db.url;
          },
        },
      ]),
];

describe.each(engines)('inventory of AI tools on $name', (engine) => {
  let services: Services;
  let url: string;
  let dir: string;
  let databaseUrl: string | undefined;

  const start = async () => {
    dir = mkdtempSync(join(tmpdir(), 'guichet-ai-tools-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    databaseUrl = await engine.databaseUrl();
    const store = await openStore({
      dataDir: dir,
      databaseUrl,
      postgres: { logger: { warn: () => undefined } },
    });
    await ensureDefaultOrganisation(store, DEFAULT_ORG_ID);
    const config = loadConfig({
      env: {},
      overrides: {
        data_dir: dir,
        log_level: 'silent',
        ...PROVIDERS,
        ...(databaseUrl ? { store: { database_url: databaseUrl } } : {}),
      },
    });
    services = composeServices({ config, store, env: {} });
    const app = createApp(services);
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cleanups.push(async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await services.close();
    });
  };
  const call = (key: string, method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: bearer(key),
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('lists Guichet computed from its configuration, keeps tools per organisation, audits and exports', async () => {
    await start();
    const admin = await createTestKey(services.store, { role: 'admin' });
    const dpo = await createTestKey(services.store, { role: 'dpo' });
    const agent = await createTestKey(services.store, { role: 'agent' });
    const other = await createTestKey(services.store, { role: 'admin', orgId: 'autre-mairie' });

    // Guichet first, computed: the foreign provider's country and its law.
    const first = (await (await call(admin, 'GET', '/v1/admin/ai-tools')).json()) as {
      data: Array<Record<string, unknown>>;
      checklist: { id: string }[];
      source: string;
    };
    expect(first.data).toHaveLength(1);
    expect(first.data[0]).toMatchObject({
      id: 'guichet',
      computed: true,
      foreign_law_exposure: true,
      foreign_laws: ['US CLOUD Act'],
      legal_basis: 'public_task',
    });
    expect(String(first.data[0].hosting_country)).toContain('US');
    expect(String(first.data[0].provider)).toContain('Hyperscaler Inc.');
    expect(first.checklist).toHaveLength(CHECKLIST.length);
    expect(first.source).toMatch(/^https:\/\/www\.cnil\.fr\//);
    // The computed entry is not removed (its organisation fields are tested below).
    const locked = await call(admin, 'DELETE', '/v1/admin/ai-tools/guichet');
    expect(locked.status).toBe(409);
    expect(((await locked.json()) as { error: { message: string } }).error.message).toMatch(/calculée/);

    // Validation: French 400s.
    for (const bad of [
      { name: '' },
      { name: 'X', dpia_status: 'finie' },
      { name: 'X', legal_basis: 'envie' },
      { name: 'X', checklist: { inconnu: true } },
      { name: 'X', surprise: 1 },
    ]) {
      const r = await call(admin, 'POST', '/v1/admin/ai-tools', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      const msg = ((await r.json()) as { error: { message: string } }).error.message;
      expect(msg, JSON.stringify(bad)).toMatch(/Requête invalide/);
      expect(msg).not.toMatch(/Invalid|Expected|Unrecognized/);
    }

    // Create (admin), change (DPO), read; an agent may not even read.
    const created = await call(admin, 'POST', '/v1/admin/ai-tools', {
      name: 'Traducteur en ligne',
      purpose: 'Traduire les courriers des usagers',
      services: ['État civil', 'Accueil'],
      data: { categories: ['courriers'], personal_data: true, sensitive_data: false },
      provider: 'TradCo',
      hosting_country: 'US',
      foreign_law_exposure: true,
      foreign_laws: ['US CLOUD Act'],
      legal_basis: 'public_task',
      checklist: { concrete_need: true, users_trained: false },
    });
    expect(created.status).toBe(201);
    const tool = (await created.json()) as { id: string; dpia_status: string; computed: boolean };
    expect(tool).toMatchObject({ dpia_status: 'to_do', computed: false });
    const patched = await call(dpo, 'PATCH', `/v1/admin/ai-tools/${tool.id}`, {
      dpia_status: 'in_progress',
      checklist: { concrete_need: true, users_trained: true },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      name: 'Traducteur en ligne',
      services: ['État civil', 'Accueil'],
      dpia_status: 'in_progress',
      checklist: { concrete_need: true, users_trained: true },
    });
    expect((await call(agent, 'GET', '/v1/admin/ai-tools')).status).toBe(403);
    expect((await call(agent, 'POST', '/v1/admin/ai-tools', { name: 'X' })).status).toBe(403);
    expect((await call(dpo, 'GET', `/v1/admin/ai-tools/${tool.id}`)).status).toBe(200);
    // Another organisation sees only Guichet, and not this tool.
    const foreign = (await (await call(other, 'GET', '/v1/admin/ai-tools')).json()) as { data: unknown[] };
    expect(foreign.data).toHaveLength(1);
    expect((await call(other, 'GET', `/v1/admin/ai-tools/${tool.id}`)).status).toBe(404);
    expect((await call(other, 'DELETE', `/v1/admin/ai-tools/${tool.id}`)).status).toBe(404);

    // Exports.
    const csvRes = await call(dpo, 'GET', '/v1/admin/ai-tools?format=csv');
    expect(csvRes.headers.get('content-type')).toMatch(/text\/csv/);
    const csv = await csvRes.text();
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(3);
    expect(csv).toContain('Traducteur en ligne');
    expect(csv).toContain(';État civil, Accueil;'); // « ; » separates, a comma needs no quotes
    expect(csv).toContain('en cours');
    const md = await (await call(admin, 'GET', '/v1/admin/ai-tools?format=md')).text();
    expect(md).toContain('# Inventaire des outils d’IA');
    expect(md).toContain('## Traducteur en ligne');
    expect(md).toContain('Guichet (assistant de réponse aux agents) (entrée calculée par Guichet)');
    expect(md).toContain('| Analyse d’impact (AIPD) | en cours |');
    const pdfRes = await call(admin, 'GET', '/v1/admin/ai-tools?format=pdf');
    expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
    const pdf = await PDFDocument.load(new Uint8Array(await pdfRes.arrayBuffer()));
    expect(pdf.getPageCount()).toBeGreaterThanOrEqual(1);
    expect(pdf.getTitle()).toContain('Inventaire des outils d’IA');
    expect((await call(admin, 'GET', '/v1/admin/ai-tools?format=docx')).status).toBe(400);

    // The console's path lands on the SPA's section; an odd one is not found.
    const typed = await fetch(`${url}/admin/outils-ia`, { redirect: 'manual' });
    expect(typed.status).toBe(302);
    expect(typed.headers.get('location')).toBe('/#/admin/outils-ia');
    expect((await fetch(`${url}/admin/Outils%20IA`, { redirect: 'manual' })).status).toBe(404);

    // Delete, then audit entries for the three changes.
    expect((await call(admin, 'DELETE', `/v1/admin/ai-tools/${tool.id}`)).status).toBe(200);
    expect((await call(admin, 'GET', `/v1/admin/ai-tools/${tool.id}`)).status).toBe(404);
    const audit = await services.store.audit.list({ limit: 1000 });
    const types = audit.map((e) => e.type);
    for (const t of ['ai_tool.created', 'ai_tool.updated', 'ai_tool.deleted']) expect(types).toContain(t);
    expect(audit.find((e) => e.type === 'ai_tool.created')?.orgId).toBe(DEFAULT_ORG_ID);
    expect((await services.audit.verify()).ok).toBe(true);
  }, 120_000);

  // On the server the first test started (like the CLI test below).
  it('records the organisation’s DPIA and notes on Guichet’s entry, kept apart per organisation', async () => {
    const admin = await createTestKey(services.store, { role: 'admin' });
    const dpo = await createTestKey(services.store, { role: 'dpo' });
    const agent = await createTestKey(services.store, { role: 'agent' });
    const other = await createTestKey(services.store, { role: 'admin', orgId: 'autre-mairie' });
    const guichet = async (key: string) =>
      (await (await call(key, 'GET', '/v1/admin/ai-tools/guichet')).json()) as Record<string, unknown>;
    const message = async (r: Response) => ((await r.json()) as { error: { message: string } }).error.message;

    const before = await guichet(admin);
    expect(before).toMatchObject({
      computed: true,
      dpia_status: 'to_do',
      dpia_date: null,
      dpia_reference: '',
      org_notes: '',
    });

    // The DPO records the DPIA; computed fields stay computed.
    const done = await call(dpo, 'PATCH', '/v1/admin/ai-tools/guichet', {
      dpia_status: 'done',
      dpia_date: '2026-10-15',
      dpia_reference: 'AIPD-2026-07',
      org_notes: 'Validée | en comité\nle 15 octobre.',
    });
    expect(done.status, await done.clone().text()).toBe(200);
    expect(await done.json()).toMatchObject({
      id: 'guichet',
      computed: true,
      dpia_status: 'done',
      dpia_date: '2026-10-15',
      dpia_reference: 'AIPD-2026-07',
      foreign_laws: ['US CLOUD Act'],
      provider: before.provider,
      notes: before.notes,
      legal_basis: 'public_task',
    });
    // The admin changes one field: the others are kept.
    const noted = await call(admin, 'PATCH', '/v1/admin/ai-tools/guichet', {
      org_notes: 'Revue annuelle prévue.',
    });
    expect(noted.status).toBe(200);
    const read = await guichet(admin);
    expect(read).toMatchObject({
      dpia_status: 'done',
      dpia_date: '2026-10-15',
      dpia_reference: 'AIPD-2026-07',
      org_notes: 'Revue annuelle prévue.',
      notes: before.notes,
    });
    expect(read.updated_at).toEqual(expect.any(String));
    const listed = (await (await call(dpo, 'GET', '/v1/admin/ai-tools')).json()) as {
      data: Array<Record<string, unknown>>;
    };
    expect(listed.data[0]).toEqual(read);
    // Kept in the store's key-value meta, not in a table of its own.
    expect(JSON.parse((await services.store.meta.get(`ai_tools.guichet.${DEFAULT_ORG_ID}`))!)).toMatchObject({
      dpia_status: 'done',
      dpia_reference: 'AIPD-2026-07',
    });

    // Computed fields, unknown fields and bad values: French 400s, nothing changes.
    for (const bad of [
      { notes: 'x' },
      { name: 'Autre nom' },
      { provider: 'Moi' },
      { dpia_status: 'in_progress', legal_basis: 'consent' },
      { checklist: { human_review: true } },
    ]) {
      const r = await call(admin, 'PATCH', '/v1/admin/ai-tools/guichet', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      const msg = await message(r);
      expect(msg, JSON.stringify(bad)).toMatch(/^Requête invalide : l’entrée « Guichet » est calculée/);
      expect(msg).toContain('seuls dpia_status, dpia_date, dpia_reference, org_notes se modifient');
    }
    const badStatus = await call(admin, 'PATCH', '/v1/admin/ai-tools/guichet', { dpia_status: 'finie' });
    expect(badStatus.status).toBe(400);
    expect(await message(badStatus)).toMatch(/Statut d’AIPD inconnu/);
    const badDate = await call(admin, 'PATCH', '/v1/admin/ai-tools/guichet', { dpia_date: '15/10/2026' });
    expect(badDate.status).toBe(400);
    expect(await message(badDate)).toMatch(/AAAA-MM-JJ/);
    expect(await guichet(admin)).toEqual(read);

    // Only the admin and the DPO write it.
    const refused = await call(agent, 'PATCH', '/v1/admin/ai-tools/guichet', { dpia_status: 'to_do' });
    expect(refused.status).toBe(403);
    expect(await message(refused)).not.toMatch(/forbidden|Forbidden/);
    expect((await guichet(admin)).dpia_status).toBe('done');

    // Another organisation: its own entry, untouched, and its change does not reach this one.
    expect(await guichet(other)).toMatchObject({ dpia_status: 'to_do', dpia_reference: '', org_notes: '' });
    expect(
      (await call(other, 'PATCH', '/v1/admin/ai-tools/guichet', { dpia_status: 'in_progress' })).status,
    ).toBe(200);
    expect((await guichet(other)).dpia_status).toBe('in_progress');
    expect((await guichet(admin)).dpia_status).toBe('done');
    const otherCsv = await (await call(other, 'GET', '/v1/admin/ai-tools?format=csv')).text();
    expect(otherCsv).not.toContain('AIPD-2026-07');

    // The exports show what was recorded.
    const csv = await (await call(dpo, 'GET', '/v1/admin/ai-tools?format=csv')).text();
    const line = csv.split('\r\n').find((l) => l.startsWith('guichet;'))!;
    expect(line).toContain(';réalisée le 15/10/2026 (référence : AIPD-2026-07);');
    expect(line).toContain('Notes de l’organisation : Revue annuelle prévue. — Entrée calculée');
    const md = await (await call(admin, 'GET', '/v1/admin/ai-tools?format=md')).text();
    expect(md).toContain('| Analyse d’impact (AIPD) | réalisée le 15/10/2026 (référence : AIPD-2026-07) |');
    const pdf = pdfText(
      new Uint8Array(await (await call(admin, 'GET', '/v1/admin/ai-tools?format=pdf')).arrayBuffer()),
    );
    expect(pdf).toContain('Analyse d\x92impact (AIPD) : réalisée le 15/10/2026 (référence : AIPD-2026-07)');
    expect(pdf).toContain('Notes de l\x92organisation : Revue annuelle prévue.');

    // Audited like the other tools' changes: field names and status, never the free text.
    const audit = await services.store.audit.list({ limit: 1000 });
    const entries = audit.filter(
      (e) => e.type === 'ai_tool.updated' && (e.data as { id?: string }).id === 'guichet',
    );
    expect(entries).toHaveLength(3);
    expect(entries.map((e) => e.orgId).sort()).toEqual(['autre-mairie', DEFAULT_ORG_ID, DEFAULT_ORG_ID]);
    expect(entries[0].data).toMatchObject({
      fields: ['dpia_status', 'dpia_date', 'dpia_reference', 'org_notes'],
      dpia_status: 'done',
      dpia_status_before: 'to_do',
      dpia_date: '2026-10-15',
    });
    expect(JSON.stringify(entries)).not.toContain('Revue annuelle');
    expect((await services.audit.verify()).ok).toBe(true);
  }, 120_000);

  it('guichet ai-tools add, list and export through the CLI, on the same store', () => {
    const env = { GUICHET_DATA_DIR: dir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
    const add = runCli(
      [
        'ai-tools',
        'add',
        '--name',
        'Résumé de réunions',
        '--provider',
        'Mistral AI',
        '--country',
        'FR',
        '--no-foreign-law',
        '--dpia',
        'done',
        '--check',
        'concrete_need,human_review',
      ],
      env,
    );
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Outil ajouté à l’inventaire : aitool_/);
    const bad = runCli(['ai-tools', 'add', '--name', 'X', '--dpia', 'bientôt'], env);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/Statut d’AIPD inconnu/);
    const list = runCli(['ai-tools', 'list'], env);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^guichet\t/);
    expect(list.stdout).toMatch(
      /Résumé de réunions\tMistral AI\tloi extra-UE : non\tAIPD : réalisée\tCNIL : 2\/12/,
    );
    const out = join(dir, 'inventaire.pdf');
    const pdf = runCli(['ai-tools', 'export', '--format', 'pdf', '--out', out], env);
    expect(pdf.status, pdf.stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    const csv = runCli(['ai-tools', 'export', '--format', 'csv'], env);
    expect(csv.stdout).toContain('Résumé de réunions');
    const wrong = runCli(['ai-tools', 'export', '--format', 'odt'], env);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/Format inconnu/);
  }, 120_000);
});
