import { z } from 'zod';
import '../shared/zod-french.js';
import { AppError } from '../shared/errors.js';
import { BUILTIN_PROVIDER } from './spec.js';

/**
 * The `providers` and `models` part of Guichet's configuration (merged into the global schema by
 * `src/config/`). Strict: an unknown key is most often a typo that would otherwise be ignored.
 */

const id = z.string({ error: 'identifiant attendu (texte)' }).regex(/^[a-z0-9][a-z0-9._-]*$/i, {
  error: 'identifiant invalide : lettres, chiffres, « . », « _ » ou « - » uniquement',
});
const modelIds = z
  .array(z.string().min(1, { error: 'identifiant de modèle vide' }), {
    error: 'liste de modèles attendue',
  })
  .min(1, { error: 'au moins un modèle doit être déclaré' });
const positiveInt = (what: string) =>
  z
    .number({ error: `${what} : nombre entier attendu` })
    .int({ error: `${what} : nombre entier attendu` })
    .positive({ error: `${what} : doit être positif` });

/**
 * Where an outside endpoint runs and who can compel its operator (data-flow report, record of
 * processing). Optional: an endpoint without it is reported as « non déclaré ».
 */
export const sovereigntySchema = z.strictObject({
  operator: z.string().min(1, { error: 'opérateur attendu' }),
  /** ISO 3166 country code of the operator, e.g. FR. */
  country: z.string().regex(/^[A-Z]{2}$/, { error: 'code pays ISO à deux lettres attendu, par exemple FR' }),
  /** Where the servers are, e.g. « OVHcloud, Gravelines (FR) ». */
  hosting: z.string().min(1).optional(),
  /** e.g. SecNumCloud, HDS, ISO 27001. */
  certifications: z.array(z.string().min(1)).default([]),
  /** Non-EU laws that can compel the operator (e.g. « US CLOUD Act »); empty = none known. */
  foreign_laws: z.array(z.string().min(1)).default([]),
});
export type Sovereignty = z.output<typeof sovereigntySchema>;

export const openAiCompatibleProviderSchema = z.strictObject({
  id,
  type: z.literal('openai-compatible'),
  base_url: z.url({
    protocol: /^https?$/,
    error: 'URL http(s) attendue, par exemple https://albert.api.etalab.gouv.fr/v1',
  }),
  /** Name of the environment variable holding the API key (never the key itself). */
  api_key_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, {
      error: 'nom de variable d’environnement attendu, par exemple ALBERT_API_KEY',
    })
    .optional(),
  models: modelIds,
  timeout_ms: positiveInt('timeout_ms').default(60_000),
  max_concurrency: positiveInt('max_concurrency').default(16),
  /** True when the upstream runs on the authority's own servers. */
  local: z.boolean({ error: 'true ou false attendu' }).default(false),
  /** Operator, country, hosting, certifications and foreign laws of this endpoint. */
  sovereignty: sovereigntySchema.optional(),
});

export const llamaCppProviderSchema = z.strictObject({
  id,
  type: z.literal('llama-cpp'),
  model_path: z
    .string({ error: 'chemin du fichier GGUF attendu' })
    .min(1, { error: 'chemin du fichier GGUF attendu' }),
  threads: positiveInt('threads').optional(),
  context_size: positiveInt('context_size').default(4096),
  models: modelIds,
  /** Also serve embeddings from this GGUF. */
  embedding: z.boolean({ error: 'true ou false attendu' }).default(false),
});

export const providerSchema = z.discriminatedUnion(
  'type',
  [openAiCompatibleProviderSchema, llamaCppProviderSchema],
  {
    error: 'type de fournisseur inconnu : « openai-compatible » ou « llama-cpp » attendu',
  },
);

const target = z
  .string()
  .regex(/^[^:\s]+:\S+$/, { error: 'cible attendue sous la forme fournisseur:modèle' });

export const modelAliasSchema = z.strictObject({
  id: z.string().min(1, { error: 'identifiant attendu' }),
  /** Tried in order; the next one is used when the previous one is unavailable. */
  targets: z.array(target, { error: 'liste de cibles attendue' }).min(1, { error: 'au moins une cible' }),
});

export const providersConfigSchema = z
  .strictObject({
    providers: z.array(providerSchema, { error: 'liste de fournisseurs attendue' }).default([]),
    models: z.array(modelAliasSchema, { error: 'liste de modèles attendue' }).default([]),
  })
  .superRefine((cfg, ctx) => {
    const providers = new Map<string, readonly string[]>();
    cfg.providers.forEach((p, i) => {
      if (p.id === BUILTIN_PROVIDER || providers.has(p.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['providers', i, 'id'],
          message: `identifiant « ${p.id} » déjà utilisé ou réservé`,
        });
      }
      providers.set(p.id, p.models);
    });
    const aliases = new Set<string>();
    cfg.models.forEach((m, i) => {
      if (aliases.has(m.id))
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'id'],
          message: `alias « ${m.id} » déclaré deux fois`,
        });
      aliases.add(m.id);
      m.targets.forEach((t, j) => {
        const sep = t.indexOf(':');
        const provider = t.slice(0, sep);
        const model = t.slice(sep + 1);
        if (provider === BUILTIN_PROVIDER) return; // registered at run time (e.g. extractive)
        const served = providers.get(provider);
        const message = !served
          ? `fournisseur « ${provider} » non déclaré dans providers`
          : !served.includes(model)
            ? `le fournisseur « ${provider} » ne déclare pas le modèle « ${model} »`
            : null;
        if (message) ctx.addIssue({ code: 'custom', path: ['models', i, 'targets', j], message });
      });
    });
  });

export type ProvidersConfigInput = z.input<typeof providersConfigSchema>;
export type ProvidersConfig = z.output<typeof providersConfigSchema>;
export type ProviderConfig = ProvidersConfig['providers'][number];
export type OpenAiCompatibleProviderConfig = z.output<typeof openAiCompatibleProviderSchema>;
export type LlamaCppProviderConfig = z.output<typeof llamaCppProviderSchema>;
export type ModelAliasConfig = z.output<typeof modelAliasSchema>;

/** `providers[1] (local-gguf).model_path` — names the provider or alias, not only its index. */
export function describeIssuePath(path: readonly PropertyKey[], input: unknown): string {
  let out = '';
  let node: unknown = input;
  for (const [i, key] of path.entries()) {
    node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === 'number') {
      out += `[${key}]`;
      const name = node && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      if (i === 1 && typeof name === 'string') out += ` (${name})`;
    } else out += (out ? '.' : '') + String(key);
  }
  return out || '(racine)';
}

/** Validates the section; throws `config_invalid` listing every problem with its place. */
export function parseProvidersConfig(input: unknown): ProvidersConfig {
  const parsed = providersConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map(
    (issue) => `- ${describeIssuePath(issue.path, input)} : ${issue.message}`,
  );
  throw new AppError('config_invalid', `Configuration des modèles invalide :\n${lines.join('\n')}`);
}
