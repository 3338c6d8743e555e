import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.js';
import { parseProvidersConfig } from './config.js';

const example = {
  providers: [
    {
      id: 'albert',
      type: 'openai-compatible',
      base_url: 'https://albert.api.etalab.gouv.fr/v1',
      api_key_env: 'ALBERT_API_KEY',
      models: ['albert-large', 'embeddings-small'],
      timeout_ms: 60000,
      max_concurrency: 16,
      local: false,
    },
    {
      id: 'local-gguf',
      type: 'llama-cpp',
      model_path: './models/mistral-7b.gguf',
      threads: 4,
      context_size: 4096,
      models: ['mistral-local'],
      embedding: false,
    },
  ],
  models: [{ id: 'guichet-llm', targets: ['albert:albert-large', 'local-gguf:mistral-local'] }],
};

function messageOf(input: unknown): string {
  try {
    parseProvidersConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('config_invalid');
    return (e as AppError).message;
  }
  throw new Error('expected the configuration to be refused');
}

const withProvider = (i: number, patch: Record<string, unknown>) => ({
  ...example,
  providers: example.providers.map((p, j) => (j === i ? { ...p, ...patch } : p)),
});

describe('providers configuration', () => {
  it('accepts the documented example and fills defaults', () => {
    const cfg = parseProvidersConfig(example);
    expect(cfg.models[0].targets).toHaveLength(2);
    const minimal = parseProvidersConfig({
      providers: [
        { id: 'x', type: 'openai-compatible', base_url: 'http://localhost:8000/v1', models: ['m'] },
      ],
    });
    expect(minimal.providers[0]).toMatchObject({ timeout_ms: 60000, max_concurrency: 16, local: false });
    expect(parseProvidersConfig(undefined)).toEqual({ providers: [], models: [] });
  });

  it('names the provider and the field at fault', () => {
    expect(messageOf(withProvider(1, { model_path: undefined }))).toMatch(
      /providers\[1\] \(local-gguf\)\.model_path : chemin du fichier GGUF attendu/,
    );
    expect(messageOf(withProvider(0, { base_url: 'ftp://x' }))).toMatch(
      /providers\[0\] \(albert\)\.base_url : URL http\(s\) attendue/,
    );
    expect(messageOf(withProvider(0, { max_concurrency: 0 }))).toMatch(
      /\(albert\)\.max_concurrency : max_concurrency : doit être positif/,
    );
    expect(messageOf(withProvider(0, { api_key_env: 'sk-secret' }))).toMatch(/\(albert\)\.api_key_env/);
    expect(messageOf(withProvider(0, { type: 'ollama' }))).toMatch(
      /providers\[0\] \(albert\)\.type : type de fournisseur inconnu/,
    );
    expect(messageOf(withProvider(1, { treads: 4 }))).toMatch(/\(local-gguf\)/);
  });

  it('lists every problem at once', () => {
    const msg = messageOf({ providers: [{ ...example.providers[0], base_url: 'x', models: [] }] });
    expect(msg.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(2);
  });

  it('checks cross references: duplicates, reserved id, unknown targets', () => {
    expect(messageOf(withProvider(1, { id: 'albert' }))).toMatch(
      /providers\[1\] \(albert\)\.id : identifiant « albert » déjà utilisé/,
    );
    expect(messageOf(withProvider(1, { id: 'guichet' }))).toMatch(/réservé/);
    const badTargets = {
      ...example,
      models: [{ id: 'g', targets: ['mistral:large', 'albert:gpt-4', 'sans-deux-points'] }],
    };
    const msg = messageOf(badTargets);
    expect(msg).toMatch(/models\[0\] \(g\)\.targets\[0\] : fournisseur « mistral » non déclaré/);
    expect(msg).toMatch(
      /models\[0\] \(g\)\.targets\[1\] : le fournisseur « albert » ne déclare pas le modèle « gpt-4 »/,
    );
    expect(msg).toMatch(/targets\[2\] : cible attendue sous la forme fournisseur:modèle/);
    expect(() =>
      parseProvidersConfig({ ...example, models: [{ id: 'g', targets: ['guichet:extractive'] }] }),
    ).not.toThrow();
  });
});
