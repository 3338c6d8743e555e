/**
 * Refreshes the national corpus from DILA's three "Vos droits et démarches" archives: conditional
 * downloads through the egress client, every archive checked before anything is replaced, then an
 * incremental ingestion (unchanged publications skipped, removed ones deleted) with a change report.
 * Any failure of a download or a check leaves the archives held and the corpus as they were.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ServicePublicRefreshConfig } from '../knowledge/config.js';
import type { Audience } from '../knowledge/model.js';
import { AUDIENCE_ORDER } from '../knowledge/sources/service-public/catalog.js';
import {
  downloadArchive,
  DownloadError,
  type Validators,
} from '../knowledge/sources/service-public/download.js';
import { ArchiveRejected, verifyArchive } from '../knowledge/sources/service-public/verify.js';
import { openZipSources } from '../knowledge/sources/service-public/zip.js';
import type { EgressFetch } from '../models/http-client.js';
import { AppError } from '../shared/errors.js';
import type { Store } from '../store/spec.js';
import {
  ingestServicePublic,
  SERVICE_PUBLIC_COLLECTION,
  type IngestProgress,
  type IngestSummary,
} from './ingest-service-public.js';

export const REFRESH_SOURCE_DESCRIPTION = 'archives DILA « Vos droits et démarches »';
const LAST_REFRESH_KEY = 'service_public.refresh.last';
const archiveKey = (a: Audience) => `service_public.archive.${a}`;

export interface LastRefresh {
  /** ISO date-time of the attempt's end. */
  at: string;
  ok: boolean;
  /** One French line: what changed, or why it failed. */
  message: string;
}

export interface ArchiveOutcome {
  audience: Audience;
  url: string;
  status: 'unchanged' | 'downloaded';
  bytes: number | null;
  publications: number | null;
}

export interface RefreshReport {
  /** `unchanged`: every archive answered 304 and the corpus already came from them. */
  status: 'unchanged' | 'updated';
  archives: ArchiveOutcome[];
  /** The ingestion's counts and change report; null when nothing had to be ingested. */
  summary: IngestSummary | null;
  message: string;
}

export interface RefreshServicePublicOptions {
  store: Store;
  egress: EgressFetch;
  config: ServicePublicRefreshConfig;
  dataDir: string;
  chunkTokens: number;
  onProgress?: (p: IngestProgress) => void;
  onWarning?: (message: string) => void;
  /** Called as each archive's download starts (CLI progress). */
  onArchive?: (audience: Audience, url: string) => void;
  signal?: AbortSignal;
}

const StoredArchive = z.object({
  url: z.string(),
  etag: z.string().nullable().catch(null),
  last_modified: z.string().nullable().catch(null),
});

const StoredLastRefresh = z.object({ at: z.string(), ok: z.boolean(), message: z.string() });

export async function readLastRefresh(store: Store): Promise<LastRefresh | null> {
  const raw = await store.meta.get(LAST_REFRESH_KEY);
  if (!raw) return null;
  try {
    const parsed = StoredLastRefresh.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function recordAttempt(store: Store, ok: boolean, message: string): Promise<void> {
  const value: LastRefresh = { at: new Date().toISOString(), ok, message };
  await store.meta.set(LAST_REFRESH_KEY, JSON.stringify(value)).catch(() => undefined);
}

async function storedValidators(store: Store, audience: Audience, url: string): Promise<Validators | null> {
  const raw = await store.meta.get(archiveKey(audience));
  if (!raw) return null;
  try {
    const v = StoredArchive.safeParse(JSON.parse(raw));
    if (!v.success || v.data.url !== url) return null;
    if (!v.data.etag && !v.data.last_modified) return null;
    return { etag: v.data.etag, lastModified: v.data.last_modified };
  } catch {
    return null;
  }
}

/** Removals accepted without question: a few fiches withdrawn is ordinary. */
const ALWAYS_REMOVABLE = 10;

/**
 * Archives that would remove more than half of the corpus are not a refresh but a partial or
 * broken export: refused before anything is written.
 */
async function refuseMassRemoval(store: Store, ids: string[]): Promise<void> {
  const known = await store.documents.hashes(SERVICE_PUBLIC_COLLECTION);
  const keep = new Set(ids);
  let removed = 0;
  for (const id of known.keys()) if (!keep.has(id)) removed++;
  if (removed > ALWAYS_REMOVABLE && removed > known.size / 2)
    throw new AppError(
      'upstream_error',
      `Mise à jour du corpus refusée : les archives téléchargées retireraient ${removed} des ${known.size} publications indexées (plus de la moitié : export partiel ?). Le corpus actuel reste en service, inchangé.`,
    );
}

export function summaryLine(s: IngestSummary): string {
  return `${s.added} ajoutée(s), ${s.updated} mise(s) à jour, ${s.removed} retirée(s), ${s.unchanged} inchangée(s)`;
}

/** The `--json` form of a refresh report (also a refresh job's result): snake_case, stable. */
export function refreshReportJson(r: RefreshReport): Record<string, unknown> {
  return {
    status: r.status,
    message: r.message,
    archives: r.archives,
    added: r.summary?.added ?? 0,
    updated: r.summary?.updated ?? 0,
    removed: r.summary?.removed ?? 0,
    unchanged: r.summary?.unchanged ?? null,
    failed: r.summary?.failed ?? [],
    total: r.summary?.total ?? null,
    duration_ms: r.summary?.durationMs ?? null,
    changes: r.summary?.changes ?? [],
    changes_truncated: r.summary?.changesTruncated ?? false,
  };
}

const AUDIENCE_LABEL: Record<Audience, string> = {
  particuliers: 'particuliers',
  professionnels: 'professionnels',
  associations: 'associations',
};

/** Downloads, checks, then ingests. Throws an AppError with one French line on any failure. */
export async function refreshServicePublic(o: RefreshServicePublicOptions): Promise<RefreshReport> {
  const wanted = AUDIENCE_ORDER.flatMap((a) => {
    const url = o.config.sources[a];
    return url ? [{ audience: a, url }] : [];
  });
  if (wanted.length === 0) {
    throw new AppError(
      'invalid_request',
      'Aucune archive à télécharger : knowledge.service_public.sources ne déclare aucune adresse.',
    );
  }
  return o.store.meta.exclusive('service-public.refresh', async () => {
    const dir = join(o.dataDir, 'service-public');
    await mkdir(dir, { recursive: true });
    // Leftovers of an interrupted attempt.
    for (const f of await readdir(dir).catch(() => [] as string[]))
      if (f.includes('.part-')) await rm(join(dir, f), { force: true });
    const partials: string[] = [];
    const outcomes: (ArchiveOutcome & { part: string | null; validators: Validators | null })[] = [];
    try {
      for (const { audience, url } of wanted) {
        o.signal?.throwIfAborted();
        const final = join(dir, `${audience}.zip`);
        const validators = existsSync(final) ? await storedValidators(o.store, audience, url) : null;
        const part = join(dir, `${audience}.zip.part-${randomUUID()}`);
        partials.push(part);
        o.onArchive?.(audience, url);
        try {
          const r = await downloadArchive({
            egress: o.egress,
            url,
            dest: part,
            validators,
            maxBytes: o.config.max_download_bytes,
            timeoutMs: o.config.timeout_seconds * 1000,
            signal: o.signal,
          });
          if (r.status === 'unchanged') {
            outcomes.push({
              audience,
              url,
              status: 'unchanged',
              bytes: null,
              publications: null,
              part: null,
              validators,
            });
            continue;
          }
          const checked = await verifyArchive(part, {
            maxUncompressedBytes: o.config.max_uncompressed_bytes,
          });
          outcomes.push({
            audience,
            url,
            status: 'downloaded',
            bytes: r.bytes,
            publications: checked.publications,
            part,
            validators: r.validators,
          });
        } catch (e) {
          if (e instanceof DownloadError || e instanceof ArchiveRejected)
            throw new AppError(
              'upstream_error',
              `Mise à jour du corpus impossible (archive ${AUDIENCE_LABEL[audience]}, ${url}) : ${e.message}. Le corpus actuel reste en service, inchangé.`,
              { cause: e },
            );
          throw e;
        }
      }
      const archives = outcomes.map(({ part: _p, validators: _v, ...rest }) => rest);
      const current = (await o.store.meta.get('service_public.source')) === REFRESH_SOURCE_DESCRIPTION;
      if (outcomes.every((x) => x.status === 'unchanged') && current) {
        const message = 'Corpus déjà à jour : archives DILA inchangées depuis la dernière mise à jour.';
        await recordAttempt(o.store, true, message);
        return { status: 'unchanged' as const, archives, summary: null, message };
      }
      // Every archive is whole and checked. They are read where they are (new ones still under
      // their temporary name) and replace the held copies once the ingestion has succeeded.
      const held = (x: (typeof outcomes)[number]) => x.part ?? join(dir, `${x.audience}.zip`);
      const source = await openZipSources(
        outcomes.map((x) => ({ path: held(x), audience: x.audience })),
        REFRESH_SOURCE_DESCRIPTION,
      );
      await refuseMassRemoval(o.store, source.ids ?? []);
      const summary = await ingestServicePublic({
        store: o.store,
        source,
        chunkTokens: o.chunkTokens,
        onProgress: o.onProgress,
        onWarning: o.onWarning,
        signal: o.signal,
      });
      for (const x of outcomes) if (x.part) await rename(x.part, join(dir, `${x.audience}.zip`));
      // Validators are kept once the ingestion succeeded: a failed one downloads again next time.
      for (const x of outcomes) {
        if (x.status !== 'downloaded') continue;
        await o.store.meta.set(
          archiveKey(x.audience),
          JSON.stringify({
            url: x.url,
            etag: x.validators?.etag ?? null,
            last_modified: x.validators?.lastModified ?? null,
          }),
        );
      }
      const message = `Corpus mis à jour depuis la DILA : ${summaryLine(summary)}.`;
      await recordAttempt(o.store, true, message);
      return { status: 'updated' as const, archives, summary, message };
    } catch (e) {
      const message =
        e instanceof AppError
          ? e.message
          : `Mise à jour du corpus impossible : ${(e as Error).message}. Le corpus actuel reste en service.`;
      await recordAttempt(o.store, false, message);
      throw e instanceof AppError ? e : new AppError('internal_error', message, { cause: e });
    } finally {
      for (const p of partials) await rm(p, { force: true }).catch(() => undefined);
    }
  });
}
