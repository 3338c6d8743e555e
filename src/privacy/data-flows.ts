import type { Config } from '../config/schema.js';
import type { Sovereignty } from '../models/config.js';
import { providerFacts } from '../models/provider-registry.js';
import type { EgressStats } from '../models/http-client.js';
import { knowledgeOrigins } from '../knowledge/config.js';
import { configuredPseudonymisation, isSecNumCloud, pseudonymisedFor } from './answer-privacy.js';

/**
 * The data-flow and sovereignty report: every outside endpoint declared in configuration, what is
 * sent to it, whether it is pseudonymised, who operates it and under which laws, and the requests
 * actually sent since start (from the egress client, which refuses any undeclared host).
 */

export interface DataFlowEndpoint {
  id: string;
  kind: 'model_provider' | 'oidc_issuer' | 'corpus_source';
  origin: string;
  local: boolean;
  sovereignty: Sovereignty | null;
  secnumcloud: boolean;
  /** A non-EU law can compel the operator (declared in `foreign_laws`); null = not declared. */
  foreignLawExposure: boolean | null;
  dataCategories: string[];
  pseudonymised: 'yes' | 'no' | 'not_needed' | 'partially';
  requestsSinceStart: number;
}

export interface DataFlowReport {
  generatedAt: string;
  since: string;
  endpoints: DataFlowEndpoint[];
  /** Requests refused by the egress client (undeclared origins), per origin. */
  refused: Record<string, number>;
}

/** The providers a model id can reach: an alias's targets, `provider:model`, or a plain model id. */
export function modelProviders(config: Config, model: string): Set<string> {
  const alias = config.models.find((m) => m.id === model);
  const targets = alias ? alias.targets : [model];
  return new Set(
    targets.flatMap((t) => {
      const sep = t.indexOf(':');
      if (sep > 0 && config.providers.some((p) => p.id === t.slice(0, sep))) return [t.slice(0, sep)];
      return config.providers.filter((p) => p.models.includes(t)).map((p) => p.id);
    }),
  );
}

export function dataFlowReport(config: Config, stats: EgressStats, startedAt: Date): DataFlowReport {
  const endpoints: DataFlowEndpoint[] = [];
  // What each configured policy does to text for a target, by the rule the senders apply.
  const policies = configuredPseudonymisation(config);
  const pseudonymised = (local: boolean): DataFlowEndpoint['pseudonymised'] => {
    if (local) return 'not_needed';
    const applied = policies.map((p) => pseudonymisedFor(p, local));
    return applied.every(Boolean) ? 'yes' : applied.some(Boolean) ? 'partially' : 'no';
  };
  for (const p of config.providers) {
    // Every provider type's facts come from the registry: one that sends nowhere is not listed.
    const facts = providerFacts(p);
    const origin = facts.origins[0];
    if (!origin) continue;
    const sov = facts.sovereignty ?? null;
    const categories = [
      'messages des agents (questions et conversation)',
      'extraits des sources : corpus national public et documents de la collectivité',
    ];
    // Search stages with a model (`search.rewrite`, `search.reranker`): same policy, same rule.
    if (config.search.rewrite && modelProviders(config, config.search.rewrite.model).has(p.id))
      categories.push('conversation et question, pour les reformuler en requêtes de recherche');
    const reranker = config.search.reranker;
    if (reranker && reranker !== 'lexical' && reranker.provider === p.id)
      categories.push(
        'question et extraits des premières sources, pour les reclasser (/v1/rerank ; documents de la collectivité pseudonymisés comme la question)',
      );
    if (
      config.search.embedding_model &&
      p.models.some(
        (m) => config.search.embedding_model === m || config.search.embedding_model === `${p.id}:${m}`,
      )
    )
      categories.push('requêtes de recherche (plongements vectoriels)');
    endpoints.push({
      id: p.id,
      kind: 'model_provider',
      origin,
      local: facts.local,
      sovereignty: sov,
      secnumcloud: isSecNumCloud(sov ?? undefined),
      foreignLawExposure: sov ? sov.foreign_laws.length > 0 : null,
      dataCategories: categories,
      pseudonymised: pseudonymised(facts.local),
      requestsSinceStart: stats.requests[origin] ?? 0,
    });
  }
  // The sign-in section (`oidc.issuer`) when present; its sovereignty is declared under `privacy`.
  const issuer = (config as { oidc?: { issuer?: string } }).oidc?.issuer;
  if (issuer) {
    const origin = new URL(issuer).origin;
    const sov = config.privacy.oidc_sovereignty ?? null;
    endpoints.push({
      id: 'oidc',
      kind: 'oidc_issuer',
      origin,
      local: false,
      sovereignty: sov,
      secnumcloud: isSecNumCloud(sov ?? undefined),
      foreignLawExposure: sov ? sov.foreign_laws.length > 0 : null,
      dataCategories: ['identité de l’agent à la connexion (e-mail, nom, SIRET de l’organisation)'],
      pseudonymised: 'no',
      requestsSinceStart: stats.requests[origin] ?? 0,
    });
  }
  // The national corpus refresh: public archives downloaded, nothing about anyone sent.
  const knowledge = (config as { knowledge?: Config['knowledge'] }).knowledge;
  for (const origin of knowledge ? knowledgeOrigins(knowledge) : []) {
    endpoints.push({
      id: 'corpus-dila',
      kind: 'corpus_source',
      origin,
      local: false,
      sovereignty: null,
      secnumcloud: false,
      foreignLawExposure: null,
      dataCategories: [
        'aucune donnée personnelle : téléchargement des archives publiques du corpus national',
      ],
      pseudonymised: 'not_needed',
      requestsSinceStart: stats.requests[origin] ?? 0,
    });
  }
  return {
    generatedAt: new Date().toISOString(),
    since: startedAt.toISOString(),
    endpoints,
    refused: { ...stats.refused },
  };
}

const PSEUDO: Record<DataFlowEndpoint['pseudonymised'], string> = {
  yes: 'oui',
  no: 'non',
  not_needed: 'inutile (serveur local ou aucune donnée personnelle)',
  partially: 'oui, sauf organisations exemptées',
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function dataFlowMarkdown(r: DataFlowReport): string {
  const lines = [
    '# Flux de données et souveraineté',
    '',
    `Rapport généré le ${r.generatedAt} ; requêtes comptées depuis le démarrage (${r.since}).`,
    'Tout le trafic sortant passe par un client HTTP unique qui refuse toute origine non déclarée.',
    '',
    '| Point de sortie | Origine | Opérateur (pays) | Hébergement | Certifications | Loi extra-UE | Données envoyées | Pseudonymisées | Requêtes |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const e of r.endpoints) {
    const s = e.sovereignty;
    lines.push(
      `| ${cell(e.id)}${e.local ? ' (local)' : ''} | ${e.origin} | ${s ? cell(`${s.operator} (${s.country})`) : 'non déclaré'} | ${cell(s?.hosting ?? '—')} | ${cell(s?.certifications.join(', ') || '—')} | ${s ? cell(s.foreign_laws.join(', ') || 'aucune déclarée') : 'non déclaré'} | ${cell(e.dataCategories.join(' ; '))} | ${PSEUDO[e.pseudonymised]} | ${e.requestsSinceStart} |`,
    );
  }
  if (!r.endpoints.length) lines.push('| (aucun point de sortie : tout est local) | | | | | | | | |');
  const refused = Object.entries(r.refused);
  lines.push('', '## Connexions refusées', '');
  lines.push(
    ...(refused.length
      ? refused.map(([o, n]) => `- ${o} : ${n} requête(s) refusée(s) (origine non déclarée)`)
      : ['Aucune.']),
  );
  return lines.join('\n') + '\n';
}
