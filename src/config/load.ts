import { existsSync, readFileSync } from 'node:fs';
import '../shared/zod-french.js';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import { configSchema, type Config } from './schema.js';
import { describeIssuePath, providersConfigSchema } from '../models/config.js';

/** Environment variables and the setting each one overrides. */
const ENV_MAP: Record<string, { path: string[]; type: 'string' | 'number' }> = {
  GUICHET_DATA_DIR: { path: ['data_dir'], type: 'string' },
  GUICHET_LOG_LEVEL: { path: ['log_level'], type: 'string' },
  PORT: { path: ['server', 'port'], type: 'number' },
  HOST: { path: ['server', 'host'], type: 'string' },
  DATABASE_URL: { path: ['store', 'database_url'], type: 'string' },
  REDIS_URL: { path: ['redis_url'], type: 'string' },
  GUICHET_EMBEDDING_MODEL: { path: ['search', 'embedding_model'], type: 'string' },
  OIDC_ISSUER: { path: ['oidc', 'issuer'], type: 'string' },
  OIDC_CLIENT_ID: { path: ['oidc', 'client_id'], type: 'string' },
  OIDC_CLIENT_SECRET: { path: ['oidc', 'client_secret'], type: 'string' },
};

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit file; default GUICHET_CONFIG, else ./guichet.yaml when it exists. */
  file?: string;
  /** Values that win over everything (used by tests and CLI flags). */
  overrides?: Record<string, unknown>;
}

function setPath(target: Record<string, any>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
}

function deepMerge(base: Record<string, any>, extra: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object'
        ? deepMerge(out[k], v)
        : v;
  }
  return out;
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AppError('config_invalid', `Fichier de configuration illisible : ${file}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    throw new AppError(
      'config_invalid',
      `Fichier de configuration ${file} : YAML invalide (${(e as Error).message})`,
    );
  }
  if (data == null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new AppError('config_invalid', `Fichier de configuration ${file} : un objet YAML est attendu`);
  }
  return data as Record<string, unknown>;
}

export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `- ${i.path.join('.') || '(racine)'} : ${i.message}`);
}

/** Loads, merges and validates the configuration; throws one AppError listing every problem. */
export function loadConfig(options: LoadOptions = {}): Config & { source: string | null } {
  const env = options.env ?? process.env;
  const file =
    options.file ?? env.GUICHET_CONFIG ?? (existsSync('guichet.yaml') ? 'guichet.yaml' : undefined);
  let raw: Record<string, any> = file ? readFile(resolve(file)) : {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(ENV_MAP)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (spec.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) problems.push(`- ${name} : nombre attendu, reçu « ${value} »`);
      else setPath(raw, spec.path, n);
    } else setPath(raw, spec.path, value);
  }
  if (options.overrides) raw = deepMerge(raw, options.overrides);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) problems.push(...formatZodIssues(parsed.error));
  else {
    // Cross-checks between providers and aliases (undeclared provider, unknown model…).
    const cross = providersConfigSchema.safeParse({
      providers: parsed.data.providers,
      models: parsed.data.models,
    });
    if (!cross.success) {
      problems.push(...cross.error.issues.map((i) => `- ${describeIssuePath(i.path, raw)} : ${i.message}`));
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new AppError(
      'config_invalid',
      `Configuration invalide${file ? ` (${file})` : ''} :\n${problems.join('\n')}`,
    );
  }
  return { ...parsed.data, source: file ?? null };
}
