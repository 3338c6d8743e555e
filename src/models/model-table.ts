import { AppError } from '../shared/errors.js';
import type { ModelAliasConfig } from './config.js';
import { BUILTIN_PROVIDER, type ChatModel, type EmbeddingModel } from './spec.js';

/** One servable model of one provider. */
export interface TargetEntry {
  /** `provider:model`. */
  key: string;
  provider: string;
  model: string;
  local: boolean;
  chat?: ChatModel;
  embedding?: EmbeddingModel;
}

export interface ModelListing {
  /** The id to send as `model`: plain id when unambiguous, else `provider:model`; alias ids as declared. */
  id: string;
  provider: string;
  local: boolean;
  kind: 'alias' | 'model';
  /** For an alias: its targets, in order. */
  targets?: string[];
}

const notFound = (id: string) =>
  new AppError(
    'model_not_found',
    `Le modèle « ${id} » n’existe pas. La liste des modèles disponibles est donnée par GET /v1/models.`,
    {
      param: 'model',
    },
  );

/** Resolves what a caller asks for (alias, `provider:model`, or plain model id) to ordered targets. */
export class ModelTable {
  private readonly entries = new Map<string, TargetEntry>();
  private readonly aliases = new Map<string, string[]>();

  constructor(aliases: ModelAliasConfig[] = []) {
    for (const a of aliases) this.aliases.set(a.id, a.targets);
  }

  add(entry: Omit<TargetEntry, 'key'>): void {
    const key = `${entry.provider}:${entry.model}`;
    const existing = this.entries.get(key);
    this.entries.set(key, { ...existing, ...entry, key });
  }

  resolve(requested: string, kind: 'chat' | 'embedding'): TargetEntry[] {
    const alias = this.aliases.get(requested);
    const candidates = alias
      ? alias.map((k) => this.entries.get(k)).filter((e): e is TargetEntry => e !== undefined)
      : this.direct(requested);
    const usable = candidates.filter((e) => e[kind]);
    if (usable.length === 0) {
      if (candidates.length > 0) {
        const what = kind === 'chat' ? 'la génération de texte' : 'le calcul de vecteurs (embeddings)';
        throw new AppError('invalid_request', `Le modèle « ${requested} » ne sert pas ${what}.`, {
          param: 'model',
        });
      }
      throw notFound(requested);
    }
    return usable;
  }

  private direct(requested: string): TargetEntry[] {
    const exact = this.entries.get(requested);
    if (exact) return [exact];
    const byId = [...this.entries.values()].filter((e) => e.model === requested);
    if (byId.length > 1) {
      throw new AppError(
        'invalid_request',
        `Le modèle « ${requested} » est servi par plusieurs fournisseurs ; précisez-le : ${byId.map((e) => e.key).join(', ')}.`,
        { param: 'model' },
      );
    }
    return byId;
  }

  list(): ModelListing[] {
    const out: ModelListing[] = [];
    for (const [id, targets] of this.aliases) {
      const entries = targets
        .map((k) => this.entries.get(k))
        .filter((e): e is TargetEntry => e !== undefined);
      if (entries.length === 0) continue;
      out.push({
        id,
        provider: BUILTIN_PROVIDER,
        local: entries.every((e) => e.local),
        kind: 'alias',
        targets: entries.map((e) => e.key),
      });
    }
    const all = [...this.entries.values()];
    for (const e of all) {
      const unique = all.filter((o) => o.model === e.model).length === 1 && !this.aliases.has(e.model);
      out.push({ id: unique ? e.model : e.key, provider: e.provider, local: e.local, kind: 'model' });
    }
    return out;
  }
}
