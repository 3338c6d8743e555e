import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelStack } from '../../src/models/create-model-stack.js';
import { createEgressFetch } from '../../src/models/http-client.js';
import { parseProvidersConfig } from '../../src/models/config.js';
import { dataFlowMarkdown, dataFlowReport } from '../../src/privacy/data-flows.js';
import { processingRegisterMarkdown } from '../../src/privacy/register.js';
import { purgeExpiredData } from '../../src/privacy/retention.js';
import { configFingerprint } from '../../src/privacy/config-fingerprint.js';
import { loadConfig } from '../../src/config/load.js';
import { createTestKey, startTestApp, bearer, type RunningApp } from '../helpers/accounts.js';
import { replyJson, startRecordingUpstream, type RecordingUpstream } from './recording-upstream.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';

let upstream: RecordingUpstream;
let app: RunningApp;

const SNC = {
  operator: 'Opérateur Souverain',
  country: 'FR',
  hosting: 'Paris (FR)',
  certifications: ['SecNumCloud'],
  foreign_laws: [],
};
const US = {
  operator: 'Hyperscaler Inc.',
  country: 'US',
  hosting: 'Francfort (DE)',
  certifications: ['ISO 27001'],
  foreign_laws: ['US CLOUD Act'],
};

beforeAll(async () => {
  upstream = await startRecordingUpstream((_b, res) => replyJson(res, 'Réponse.'));
  app = await startTestApp({
    config: {
      providers: [
        {
          id: 'foreign',
          type: 'openai-compatible',
          base_url: upstream.baseUrl,
          models: ['m1'],
          sovereignty: US,
        },
        {
          id: 'snc',
          type: 'openai-compatible',
          base_url: `${upstream.origin}/snc/v1`,
          models: ['m1'],
          sovereignty: SNC,
        },
      ],
      models: [{ id: 'guichet', targets: ['foreign:m1'] }],
    },
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await upstream?.close();
});

const ask = (key: string, model: string) =>
  fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: bearer(key),
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Bonjour' }] }),
  });

describe('sensitive organisations', () => {
  it('are refused a provider neither local nor SecNumCloud (403, French), and served by a SecNumCloud one', async () => {
    await app.services.store.accounts.orgs.create({
      id: 'hopital',
      name: 'Centre hospitalier',
      sensitive: true,
    });
    const key = await createTestKey(app.services.store, { orgId: 'hopital', role: 'agent' });
    const before = upstream.raw.length;
    const refused = await ask(key, 'foreign:m1');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).error.message).toMatch(
      /Organisation sensible.*ni locaux ni qualifiés SecNumCloud/,
    );
    expect(upstream.raw.length).toBe(before);
    // `guichet` = [foreign, extractive]: the sensitive organisation is routed to the local target only.
    const routed = await ask(key, 'guichet');
    expect(routed.status).toBe(200);
    expect(((await routed.json()) as any).guichet.model ?? 'guichet:extractive').toBe('guichet:extractive');
    expect(upstream.raw.length).toBe(before);
    const ok = await ask(key, 'snc:m1');
    expect(ok.status).toBe(200);
    expect(upstream.raw.length).toBe(before + 1);
  });

  it('other organisations use any declared provider', async () => {
    const key = await createTestKey(app.services.store, { role: 'agent' });
    expect((await ask(key, 'foreign:m1')).status).toBe(200);
  });
});

describe('egress and data flows', () => {
  it('a provider whose base URL is not declared cannot be reached, and the refusal is reported', async () => {
    const config = parseProvidersConfig({
      providers: [{ id: 'rogue', type: 'openai-compatible', base_url: upstream.baseUrl, models: ['m1'] }],
    });
    // The allow-list names another origin: the rogue provider's host is not declared.
    const egress = createEgressFetch(['https://albert.api.etalab.gouv.fr']);
    const stack = createModelStack(config, { egress, breaker: { threshold: 100 } });
    const before = upstream.raw.length;
    await expect(
      stack.router.complete('rogue:m1', {
        messages: [{ role: 'user', content: 'x' }],
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'egress_refused' });
    expect(upstream.raw.length).toBe(before);
    expect(egress.stats().refused).toEqual({ [upstream.origin]: 1 });
    const report = dataFlowReport(loadConfig({ env: {}, overrides: {} }), egress.stats(), new Date());
    expect(report.refused).toEqual({ [upstream.origin]: 1 });
    expect(dataFlowMarkdown(report)).toContain(`${upstream.origin} : 1 requête(s) refusée(s)`);
  });

  it('GET /v1/admin/data-flows lists each endpoint with its sovereignty and the requests sent since start', async () => {
    // The installation's request counts are the superadmin's to read (an organisation's admin: null).
    const admin = await createTestKey(app.services.store, { role: 'superadmin' });
    const r = (await (
      await fetch(`${app.url}/v1/admin/data-flows`, { headers: bearer(admin) })
    ).json()) as any;
    const foreign = r.endpoints.find((e: any) => e.id === 'foreign');
    expect(foreign).toMatchObject({
      origin: upstream.origin,
      local: false,
      secnumcloud: false,
      foreignLawExposure: true,
      pseudonymised: 'yes',
    });
    expect(foreign.requestsSinceStart).toBeGreaterThanOrEqual(2);
    expect(r.endpoints.find((e: any) => e.id === 'snc')).toMatchObject({
      secnumcloud: true,
      foreignLawExposure: false,
    });
    const agent = await createTestKey(app.services.store, { role: 'agent' });
    expect((await fetch(`${app.url}/v1/admin/data-flows`, { headers: bearer(agent) })).status).toBe(403);
    const md = dataFlowMarkdown(r);
    expect(md).toContain('Hyperscaler Inc. (US)');
    expect(md).toContain('US CLOUD Act');
  });

  it('the register of processing names recipients, transfers, retention and measures', () => {
    const md = processingRegisterMarkdown(app.services.config);
    expect(md).toMatch(/article 30/);
    expect(md).toContain('Sous-traitant foreign');
    expect(md).toContain('Transferts hors de l’Union européenne');
    expect(md).toContain('foreign : US');
    expect(md).toContain('US CLOUD Act');
    expect(md).toContain('Conversations : 90 jours');
  });

  it('the configuration fingerprint ignores nothing but secrets', () => {
    const a = loadConfig({ env: {}, overrides: { store: { database_url: 'postgres://u:motdepasse@h/db' } } });
    const b = loadConfig({ env: {}, overrides: { store: { database_url: 'postgres://u:autre@h/db' } } });
    const c = loadConfig({ env: {}, overrides: { store: { database_url: 'postgres://u:autre@h/db2' } } });
    expect(configFingerprint(a)).toBe(configFingerprint(b));
    expect(configFingerprint(a)).not.toBe(configFingerprint(c));
  });
});

describe('retention', () => {
  it('purges what is older than its class, counts it in the audit log', async () => {
    const store = app.services.store;
    const db = (store as unknown as SqliteStore).db;
    const old = await store.conversations.create({ orgId: 'default', userId: null, title: 'ancienne' });
    await store.conversations.addMessage({ conversationId: old.id, role: 'user', content: 'vieux message' });
    const recent = await store.conversations.create({ orgId: 'default', userId: null, title: 'récente' });
    db.prepare(`UPDATE conversations SET updated_at = '2001-01-01T00:00:00.000Z' WHERE id = ?`).run(old.id);
    db.prepare(
      `INSERT INTO usage (at, org_id, endpoint, latency_ms, status) VALUES ('2001-01-01T00:00:00.000Z', 'default', 'GET /v1/me', 1, 200)`,
    ).run();
    const r = await purgeExpiredData({
      store,
      audit: app.services.audit!,
      retention: app.services.config.privacy.retention,
    });
    expect(r.counts).toMatchObject({ conversations: 1, messages: 1, usage: 1, documents: 0 });
    expect(await store.conversations.get(old.id)).toBeNull();
    expect(await store.conversations.get(recent.id)).not.toBeNull();
    const last = (await app.services.audit!.page({ limit: 1000 })).at(-1)!;
    expect(last).toMatchObject({ type: 'privacy.purge', data: { counts: { conversations: 1, usage: 1 } } });
    expect(JSON.stringify(last)).not.toContain('vieux message');
    expect((await app.services.audit!.verify()).ok).toBe(true);
  });
});
