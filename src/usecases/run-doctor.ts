import { existsSync, statfsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import type { Provider } from '../models/create-model-stack.js';
import type { Store } from '../store/spec.js';
import { frenchDate } from '../knowledge/freshness.js';
import { corpusStatus } from './corpus-status.js';
import { SERVICE_PUBLIC_COLLECTION } from './ingest-service-public.js';
import { backupFolder } from './backup-store.js';
import { lastBackup } from './scheduled-backup.js';
import { courseOf } from './manage-training.js';

export type CheckStatus = 'ok' | 'warning' | 'error';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do, in French, when the status is not ok. */
  fix?: string;
}

export interface DoctorOptions {
  config: Config & { source?: string | null };
  store: Store;
  providers: Provider[];
  timeoutMs?: number;
}

async function checkProvider(p: Provider, timeoutMs: number, modelPath?: string): Promise<Check> {
  if ('listModels' in p) {
    try {
      const served = await p.listModels(AbortSignal.timeout(timeoutMs));
      const missing = p.models.filter((m) => !served.includes(m));
      if (missing.length) {
        return {
          name: `fournisseur ${p.id}`,
          status: 'warning',
          detail: `joignable ; modèles annoncés : ${served.slice(0, 10).join(', ') || 'aucun'}`,
          fix: `Les modèles déclarés ${missing.join(', ')} ne sont pas annoncés par le serveur : vérifiez leur nom dans guichet.yaml.`,
        };
      }
      return {
        name: `fournisseur ${p.id}`,
        status: 'ok',
        detail: `joignable ; ${p.models.join(', ')} disponibles`,
      };
    } catch (e) {
      return {
        name: `fournisseur ${p.id}`,
        status: 'error',
        detail: `injoignable (${(e as Error).message})`,
        fix: `Vérifiez que le serveur du fournisseur « ${p.id} » est démarré, son adresse (base_url) et sa clé d'API.`,
      };
    }
  }
  const path = modelPath;
  if (path && !existsSync(path)) {
    return {
      name: `fournisseur ${p.id}`,
      status: 'error',
      detail: `fichier GGUF absent : ${path}`,
      fix: 'Indiquez le bon chemin (model_path) du fichier GGUF.',
    };
  }
  return { name: `fournisseur ${p.id}`, status: 'ok', detail: 'modèle local (chargé au premier usage)' };
}

/** Checks configuration, store, corpus and providers; each problem comes with what to fix. */
/** The AI training's course folder: readable, and how it is set. */
function trainingCheck(config: Config): Check {
  const t = config.training;
  try {
    const course = courseOf(t);
    return {
      name: 'formation à l’IA',
      status: 'ok',
      detail: `version ${course.version}, ${course.chapters.length} chapitres, ${course.bank.length} questions (${Math.min(t.questions, course.bank.length)} par quiz, seuil ${Math.round(t.pass_mark * 100)} %)${t.required ? ', obligatoire avant de poser des questions' : ''}`,
    };
  } catch (e) {
    return {
      name: 'formation à l’IA',
      status: 'error',
      detail: (e as Error).message,
      fix: 'Corrigez le dossier de la formation (training.folder, ou training/ du dépôt) : manifest.yaml, chapitres et quiz.yaml.',
    };
  }
}

export async function runDoctor(o: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push({
    name: 'configuration',
    status: 'ok',
    detail: o.config.source ? `fichier ${o.config.source} valide` : 'valeurs par défaut (aucun guichet.yaml)',
  });
  checks.push({
    name: 'stockage',
    status: 'ok',
    detail: `${o.store.info.adapter} (${o.store.info.location}), schéma v${o.store.info.schemaVersion}, recherche vectorielle ${o.store.info.vectors ? 'disponible' : 'indisponible'}`,
  });
  const count = await o.store.documents.count(SERVICE_PUBLIC_COLLECTION);
  const ingestedAt = await o.store.meta.get('service_public.ingested_at');
  const source = await o.store.meta.get('service_public.source');
  checks.push(
    count === 0
      ? {
          name: 'corpus service-public.fr',
          status: 'error',
          detail: 'aucune publication indexée',
          fix: 'Lancez « guichet ingest service-public » (ou « guichet serve », qui l’indexe au premier démarrage).',
        }
      : {
          name: 'corpus service-public.fr',
          status: 'ok',
          detail: `${count} publications (${source ?? 'source inconnue'}), indexées le ${ingestedAt?.slice(0, 10) ?? '?'}`,
        },
  );
  const status = await corpusStatus(o.store, o.config.knowledge.stale_after_months);
  if (count > 0 && status.date) {
    checks.push({
      name: 'fraîcheur du corpus',
      status: status.stale ? 'warning' : 'ok',
      detail: `fiche la plus récente : ${frenchDate(status.date)}${status.stale ? ` (plus de ${o.config.knowledge.stale_after_months} mois)` : ''}`,
      fix: status.stale
        ? 'Mettez le corpus à jour depuis la DILA : guichet ingest service-public --update (ou « Mettre à jour le corpus » dans la console d’administration).'
        : undefined,
    });
  }
  const last = status.last_refresh;
  const schedule = o.config.knowledge.service_public.refresh;
  if (count > 0 || last !== null)
    checks.push(
      last === null
        ? {
            name: 'mise à jour du corpus',
            status: 'ok',
            detail: `jamais tentée (planification : ${schedule === 'off' ? 'désactivée' : schedule})`,
          }
        : {
            name: 'mise à jour du corpus',
            status: last.ok ? 'ok' : 'warning',
            detail: `dernière tentative le ${frenchDate(last.at)} à ${last.at.slice(11, 16)} UTC : ${last.message}`,
            fix: last.ok
              ? undefined
              : 'Vérifiez l’accès réseau à l’hôte de la DILA (knowledge.service_public.sources), puis relancez : guichet ingest service-public --update',
          },
    );
  checks.push(...(await backupChecks(o)));
  checks.push(trainingCheck(o.config));
  const timeout = o.timeoutMs ?? 5000;
  const paths = new Map(
    o.config.providers.flatMap((p) => (p.type === 'llama-cpp' ? [[p.id, p.model_path] as const] : [])),
  );
  checks.push(...(await Promise.all(o.providers.map((p) => checkProvider(p, timeout, paths.get(p.id))))));
  if (o.providers.length === 0) {
    checks.push({
      name: 'modèles',
      status: 'warning',
      detail: 'aucun modèle génératif déclaré : réponses extractives seulement',
      fix: 'Déclarez un fournisseur (vLLM, Ollama, API Albert, fichier GGUF) dans guichet.yaml : voir le README.',
    });
  }
  checks.push(...(await rerankerCheck(o, timeout)));
  if (o.config.search.embedding_model === undefined) {
    checks.push({
      name: 'recherche dense',
      status: 'ok',
      detail: 'non configurée (recherche lexicale seule)',
    });
  }
  return checks;
}

/** A provider's `/v1/rerank` (`search.reranker`) asked once about a public text. */
async function rerankerCheck(o: DoctorOptions, timeoutMs: number): Promise<Check[]> {
  const r = o.config.search.reranker;
  if (!r || r === 'lexical') return [];
  const name = 'reclassement (search.reranker)';
  const p = o.providers.find((x) => x.id === r.provider);
  if (!p || !('rerank' in p)) {
    return [
      {
        name,
        status: 'error',
        detail: `fournisseur « ${r.provider} » non déclaré, ou pas de type openai-compatible`,
        fix: 'Nommez dans search.reranker.provider un fournisseur openai-compatible déclaré dans providers.',
      },
    ];
  }
  try {
    await p.rerank(
      r.model,
      'carte grise',
      ['Carte grise : immatriculer un véhicule.'],
      AbortSignal.timeout(timeoutMs),
      r.api,
    );
    return [{ name, status: 'ok', detail: `${r.provider}:${r.model} répond (/v1/rerank, format ${r.api})` }];
  } catch (e) {
    return [
      {
        name,
        status: 'warning',
        detail: `${r.provider}:${r.model} : ${(e as Error).message}`,
        fix: 'Vérifiez search.reranker (model ; api : « albert » ou « openai-compatible ») ; en attendant, la recherche garde son propre ordre.',
      },
    ];
  }
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1048576).toLocaleString('fr-FR')} Mio`;
}

/** Free space of the data folder's disk, and the outcome of the last automatic backup. */
async function backupChecks(o: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const min = o.config.backup.min_free_mib * 1048576;
  for (const [name, dir] of [
    ['espace disque (données)', o.config.data_dir],
    ['espace disque (sauvegardes)', backupFolder(o.config)],
  ] as const) {
    let at = dir;
    while (!existsSync(at) && at !== '/' && at !== '.') at = at.replace(/[/\\][^/\\]*$/, '') || '/';
    try {
      const fs = statfsSync(at);
      const free = fs.bavail * fs.bsize;
      checks.push(
        free < min
          ? {
              name,
              status: 'warning',
              detail: `${mib(free)} libres sur le disque de ${dir} (seuil : ${mib(min)})`,
              fix: "Libérez de l'espace : une écriture refusée faute de place est annulée, mais ni les envois de documents ni les sauvegardes ne passent plus.",
            }
          : { name, status: 'ok', detail: `${mib(free)} libres sur le disque de ${dir}` },
      );
    } catch (e) {
      checks.push({ name, status: 'warning', detail: `espace libre illisible (${(e as Error).message})` });
    }
  }
  const last = await lastBackup(o.store).catch(() => null);
  if (o.config.backup.schedule === 'off')
    checks.push({
      name: 'sauvegardes',
      status: 'warning',
      detail: 'sauvegardes automatiques désactivées (backup.schedule: off)',
      fix: 'Planifiez « guichet backup » (cron) vers un autre disque, ou réactivez backup.schedule.',
    });
  else if (!last)
    checks.push({
      name: 'sauvegardes',
      status: 'ok',
      detail: `aucune sauvegarde automatique encore (${o.config.backup.schedule}, dans ${backupFolder(o.config)})`,
    });
  else if (!last.ok)
    checks.push({
      name: 'sauvegardes',
      status: 'error',
      detail: `la dernière sauvegarde automatique a échoué le ${last.at.slice(0, 16).replace('T', ' ')} : ${last.message ?? ''}`,
      fix: 'Corrigez la cause, puis vérifiez avec « guichet backup ».',
    });
  else
    checks.push({
      name: 'sauvegardes',
      status: 'ok',
      detail: `dernière sauvegarde automatique le ${last.at.slice(0, 16).replace('T', ' ')} (${mib(last.bytes ?? 0)})`,
    });
  return checks;
}
