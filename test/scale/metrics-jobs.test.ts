/**
 * /metrics (off by default, token-protected, Prometheus text) and background jobs on one process
 * (SQLite: the inline adapter) through the real app: the corpus refresh is queued by a superadmin,
 * reports its progress, completes; bad input gets French 4xx answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import { bearer, createTestKey, startTestApp, testServices, type RunningApp } from '../helpers/accounts.js';
import { writeXmlCorpus } from '../knowledge/xml-corpus.js';

const TOKEN = 'jeton-des-metriques-0123456789';
let app: RunningApp;
let root: string;
let admin: string;
let xmlDir: string;

beforeAll(async () => {
  xmlDir = mkdtempSync(join(tmpdir(), 'guichet-xml-'));
  writeXmlCorpus(xmlDir, 40);
  app = await startTestApp({ config: { metrics: { enabled: true, token: TOKEN } } });
  root = await createTestKey(app.services.store, { role: 'superadmin' });
  admin = await createTestKey(app.services.store, { orgId: 'org-a', role: 'admin' });
}, 60_000);

afterAll(async () => {
  await app?.services.jobs?.close();
  await app?.close();
  rmSync(xmlDir, { recursive: true, force: true });
});

const metrics = (token?: string) =>
  fetch(`${app.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('/metrics', () => {
  it('is absent unless enabled, and enabling it requires a token or an explicit public: true', async () => {
    const plain = await testServices();
    const r = await createApp(plain).request('/metrics');
    expect(r.status).toBe(404);
    await plain.store.close();
    expect(() => loadConfig({ env: {}, overrides: { metrics: { enabled: true } } })).toThrow(
      /metrics.token_env/,
    );
    const missing = await testServices({
      config: { metrics: { enabled: true, token_env: 'GUICHET_TEST_ABSENT_TOKEN' } },
    });
    expect(() => createApp(missing)).toThrow(/GUICHET_TEST_ABSENT_TOKEN/);
    await missing.store.close();
  });

  it('refuses a missing or wrong token (401, French), never through an API key', async () => {
    for (const r of [await metrics(), await metrics('faux-jeton-0123456789'), await metrics(root)]) {
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(
        /Jeton des métriques/,
      );
    }
  });

  it('counts requests by route pattern and status, latency, tokens and queue depth', async () => {
    await fetch(`${app.url}/v1/models`, { headers: bearer(admin) });
    await fetch(`${app.url}/v1/models`);
    await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: bearer(admin),
      body: JSON.stringify({
        model: 'guichet',
        messages: [{ role: 'user', content: 'Comment refaire sa carte grise ?' }],
      }),
    });
    await fetch(`${app.url}/v1/admin/jobs/inconnue`, { headers: bearer(root) });
    const r = await metrics(TOKEN);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await r.text();
    expect(text).toMatch(
      /guichet_http_requests_total\{[^}]*method="GET",route="\/v1\/models",status="200"[^}]*\} 1/,
    );
    expect(text).toMatch(/guichet_http_requests_total\{[^}]*route="\/v1\/models",status="401"[^}]*\} 1/);
    expect(text).toMatch(/guichet_http_requests_total\{[^}]*route="\/v1\/admin\/jobs\/:id",status="404"/);
    expect(text).toMatch(
      /guichet_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/chat\/completions"/,
    );
    expect(text).toMatch(/guichet_tokens_total\{[^}]*model="[^"]+",kind="completion"[^}]*\} [1-9]/);
    expect(text).toContain('guichet_jobs_queue_depth');
    expect(text).toContain('guichet_lexical_memory_index_postings');
    expect(text).toMatch(/guichet_lexical_memory_index_updates\{kind="merge"[^}]*\} \d+/);
    expect(text).toContain('guichet_upstream_errors_total');
    expect(text).toContain('guichet_process_resident_memory_bytes');
    expect(text).not.toContain(admin); // no secret in a label
  });
});

describe('background jobs (one process: inline)', () => {
  it('a superadmin queues the corpus refresh; GET reports progress then completion', async () => {
    const r = await fetch(`${app.url}/v1/admin/ingest/service-public`, {
      method: 'POST',
      headers: bearer(root),
      body: JSON.stringify({ source: xmlDir }),
    });
    expect(r.status).toBe(202);
    const job = (await r.json()) as { id: string; status: string; type: string };
    expect(job.type).toBe('ingest-service-public');
    expect(['queued', 'running']).toContain(job.status);
    let last: Record<string, any> = {};
    for (let i = 0; i < 600 && last.status !== 'completed' && last.status !== 'failed'; i++) {
      await new Promise((res) => setTimeout(res, 100));
      last = await (await fetch(`${app.url}/v1/admin/jobs/${job.id}`, { headers: bearer(root) })).json();
    }
    expect(last.status, JSON.stringify(last)).toBe('completed');
    expect(last.progress).toEqual({ done: 40, total: 40 });
    expect(last.result.added).toBe(40);
    expect(await app.services.store.documents.count('service-public')).toBeGreaterThanOrEqual(40);
  }, 120_000);

  it('answers bad input in French: unknown source (400), bad JSON, unknown job (404), admin of an org (403)', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${app.url}/v1/admin/ingest/service-public`, { method: 'POST', headers, body });
    const missing = await post(bearer(root), JSON.stringify({ source: '/nulle/part.zip' }));
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('Source introuvable');
    expect((await post(bearer(root), '{pas du json')).status).toBe(400);
    expect((await post(bearer(root), JSON.stringify({ source: 3 }))).status).toBe(400);
    expect((await post(bearer(root), JSON.stringify({ autre: 1 }))).status).toBe(400);
    const unknown = await fetch(`${app.url}/v1/admin/jobs/00000000-0000-0000-0000-000000000000`, {
      headers: bearer(root),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('Tâche inconnue');
    expect((await post(bearer(admin), '{}')).status).toBe(403);
  });
});
