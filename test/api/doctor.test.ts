import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createModelStack } from '../../src/models/create-model-stack.js';
import { startUpstream } from '../../src/models/testing/fake-upstream.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { runDoctor } from '../../src/usecases/run-doctor.js';

describe('guichet doctor', () => {
  it('reports an empty corpus, a reachable provider, a missing model and an unreachable one, with what to fix', async () => {
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'served', object: 'model' }] }));
    });
    const dead = await startUpstream(() => undefined);
    const deadUrl = dead.baseUrl;
    await dead.close();
    const config = loadConfig({
      env: {},
      overrides: {
        providers: [
          { id: 'ok', type: 'openai-compatible', base_url: up.baseUrl, models: ['served'] },
          { id: 'partial', type: 'openai-compatible', base_url: up.baseUrl, models: ['absent'] },
          { id: 'down', type: 'openai-compatible', base_url: deadUrl, models: ['x'], timeout_ms: 2000 },
        ],
      },
    });
    const store = openSqliteStore(mkdtempSync(join(tmpdir(), 'guichet-doctor-')));
    const stack = createModelStack({ providers: config.providers, models: [] });
    const checks = await runDoctor({ config, store, providers: stack.providers, timeoutMs: 3000 });
    const by = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(by['corpus service-public.fr'].status).toBe('error');
    expect(by['corpus service-public.fr'].fix).toContain('guichet ingest service-public');
    expect(by['fournisseur ok'].status).toBe('ok');
    expect(by['fournisseur partial'].status).toBe('warning');
    expect(by['fournisseur partial'].fix).toContain('absent');
    expect(by['fournisseur down'].status).toBe('error');
    expect(by['fournisseur down'].fix).toMatch(/démarré/);
    expect(by['formation à l’IA']).toMatchObject({ status: 'ok' });
    expect(by['formation à l’IA'].detail).toMatch(
      /^version \S+, 8 chapitres, \d+ questions \(10 par quiz, seuil 80 %\)$/,
    );
    await store.close();
    await up.close();
  });

  it('says when the AI training folder cannot be read, and what to fix', async () => {
    const config = loadConfig({
      env: {},
      overrides: { training: { folder: mkdtempSync(join(tmpdir(), 'guichet-no-course-')), required: true } },
    });
    const store = openSqliteStore(mkdtempSync(join(tmpdir(), 'guichet-doctor-')));
    const checks = await runDoctor({ config, store, providers: [], timeoutMs: 1000 });
    const training = checks.find((c) => c.name === 'formation à l’IA')!;
    expect(training.status).toBe('error');
    expect(training.detail).toContain('manifest.yaml');
    expect(training.fix).toContain('training.folder');
    await store.close();
  });
});
