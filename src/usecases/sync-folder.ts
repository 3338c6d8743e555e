/**
 * Keeps a collection in step with a folder (a network share, a Nextcloud folder mounted locally):
 * new and changed files are ingested, files gone from the folder have their document removed,
 * unchanged files are skipped (same size and date, else the same SHA-256), a renamed file keeps its
 * document. What the sync knows (path → size, date, hash, document) is kept in the store's meta
 * table, with the report of the last sync (for the CLI and the admin console).
 *
 * Safety first: an unreachable folder (missing, not a folder, unreadable) deletes nothing: it is
 * not an empty folder. A folder found empty while files were tracked (a share that is not
 * mounted leaves an empty mount point) deletes nothing either, unless `allowEmpty`. A sub-folder
 * that cannot be read keeps its documents; a file that disappears during the sync is skipped.
 * Documents the sync did not create (uploaded by hand) are never removed by it.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { AppError, isAppError } from '../shared/errors.js';
import type { Store } from '../store/spec.js';
import { ingestDocument, type TextEmbedder } from './ingest-document.js';
import { getWritableCollection } from './manage-collections.js';

/** Files beyond this count are not synced (reported): a mistaken folder (`/`) must not run for ever. */
export const MAX_SYNC_FILES = 50_000;
/** File entries kept in a stored report (counts are always complete). */
const REPORT_MAX_FILES = 1000;

export type SyncAction = 'added' | 'changed' | 'renamed' | 'removed' | 'failed' | 'skipped';

export interface SyncFileOutcome {
  /** Path relative to the synced folder, with `/`. */
  path: string;
  action: SyncAction;
  documentId?: string;
  /** Previous path of a renamed file. */
  from?: string;
  /** French reason of a failure or a skip. */
  reason?: string;
}

export interface SyncReport {
  collectionId: string;
  folder: string;
  /** `unreachable`: the folder could not be read (or looked unmounted): nothing was deleted. */
  status: 'completed' | 'unreachable';
  /** French summary of what happened (always set when unreachable). */
  message: string;
  startedAt: string;
  finishedAt: string;
  counts: Record<SyncAction | 'unchanged', number>;
  /** Every file that was not unchanged (at most 1,000 in a stored report). */
  files: SyncFileOutcome[];
  /** Entries left out of `files`. */
  filesOmitted: number;
}

interface TrackedFile {
  size: number;
  mtimeMs: number;
  sha256: string;
  /** Null when the file could not be ingested (it is retried once it changes). */
  documentId: string | null;
  externalId: string;
  /** The sync created this document (only such documents are ever removed by it). */
  owned: boolean;
}

interface SyncState {
  folder: string;
  files: Record<string, TrackedFile>;
}

export const syncStateKey = (collectionId: string) => `sync.state.${collectionId}`;
export const syncReportKey = (collectionId: string) => `sync.report.${collectionId}`;

export interface SyncFolderOptions {
  store: Store;
  orgId: string;
  collectionId: string;
  folder: string;
  maxBytes: number;
  chunkTokens: number;
  embed?: TextEmbedder;
  /** Accept that a folder found empty removes every document it had brought. */
  allowEmpty?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export async function syncFolder(o: SyncFolderOptions): Promise<SyncReport> {
  const collection = await getWritableCollection({ store: o.store, orgId: o.orgId, id: o.collectionId });
  const folder = resolve(o.folder);
  return o.store.meta.exclusive(`sync:${collection.id}`, async () => {
    const report = await runSync({ ...o, collectionId: collection.id }, folder);
    await o.store.meta.set(syncReportKey(collection.id), JSON.stringify(report));
    return report;
  });
}

/** The report of the last sync of a collection, if any. */
export async function lastSyncReport(store: Store, collectionId: string): Promise<SyncReport | null> {
  const raw = await store.meta.get(syncReportKey(collectionId));
  return raw ? (JSON.parse(raw) as SyncReport) : null;
}

async function runSync(o: SyncFolderOptions, folder: string): Promise<SyncReport> {
  const startedAt = new Date().toISOString();
  const counts: SyncReport['counts'] = {
    added: 0,
    changed: 0,
    renamed: 0,
    removed: 0,
    failed: 0,
    skipped: 0,
    unchanged: 0,
  };
  const outcomes: SyncFileOutcome[] = [];
  const record = (x: SyncFileOutcome) => {
    counts[x.action]++;
    outcomes.push(x);
  };
  const finish = (status: SyncReport['status'], message: string): SyncReport => ({
    collectionId: o.collectionId,
    folder,
    status,
    message,
    startedAt,
    finishedAt: new Date().toISOString(),
    counts,
    files: outcomes.slice(0, REPORT_MAX_FILES),
    filesOmitted: Math.max(0, outcomes.length - REPORT_MAX_FILES),
  });

  const rawState = await o.store.meta.get(syncStateKey(o.collectionId));
  const old: SyncState = rawState ? (JSON.parse(rawState) as SyncState) : { folder, files: {} };
  const tracked = Object.keys(old.files).length;

  // 1. The folder itself: unreachable → stop here, nothing deleted.
  const root = await stat(folder).catch((e: NodeJS.ErrnoException) => e);
  if (root instanceof Error || !root.isDirectory()) {
    const why = root instanceof Error ? describeFsError(root) : "ce n'est pas un dossier";
    return finish(
      'unreachable',
      `Le dossier « ${folder} » est inaccessible (${why}) : aucun document n'a été supprimé.`,
    );
  }
  const scan = await listFiles(folder);
  if (scan.rootError) {
    return finish(
      'unreachable',
      `Le dossier « ${folder} » ne peut pas être lu (${scan.rootError}) : aucun document n'a été supprimé.`,
    );
  }
  if (scan.files.length === 0 && tracked > 0 && !o.allowEmpty) {
    return finish(
      'unreachable',
      `Le dossier « ${folder} » est vide alors que ${tracked} fichier(s) y étaient suivis : s'il s'agit d'un partage non monté, rien n'a été supprimé. Pour vider la collection, relancez avec --allow-empty.`,
    );
  }
  const files = scan.files.slice(0, MAX_SYNC_FILES);
  for (const path of scan.files.slice(MAX_SYNC_FILES, MAX_SYNC_FILES + REPORT_MAX_FILES)) {
    record({ path, action: 'skipped', reason: `au-delà de ${MAX_SYNC_FILES} fichiers par dossier` });
  }
  const present = new Set(scan.files);
  const inScope = new Set(files);
  // Paths that may not be deleted: under a sub-folder that could not be read, or beyond the limit.
  const protectedPath = (p: string) =>
    scan.unreadable.some((dir) => p === dir || p.startsWith(`${dir}/`)) ||
    (present.has(p) && !inScope.has(p));
  for (const dir of scan.unreadable)
    record({ path: dir, action: 'skipped', reason: 'sous-dossier illisible : ses documents sont gardés' });

  const existing = await o.store.documents.hashes(o.collectionId);
  const existingIds = new Set<string>();
  for (const t of Object.values(old.files)) {
    if (!t.documentId || existingIds.has(t.documentId)) continue;
    // A file whose content duplicated another document points to that document (another name).
    if (existing.has(t.externalId) || (await o.store.documents.get(t.documentId)))
      existingIds.add(t.documentId);
  }
  // Old entries whose path is gone: candidates for a rename (same content elsewhere).
  const gone = new Map<string, string>(); // sha256 → old path
  for (const [p, t] of Object.entries(old.files))
    if (!present.has(p) && !protectedPath(p)) gone.set(t.sha256, p);
  const claimed = new Set<string>();

  const next: SyncState = { folder, files: {} };
  for (const [i, rel] of files.entries()) {
    o.signal?.throwIfAborted();
    o.onProgress?.(i, files.length);
    const prev = old.files[rel];
    const full = join(folder, ...rel.split('/'));
    const st = await stat(full).catch(() => null);
    if (!st || !st.isFile()) {
      if (prev) next.files[rel] = prev;
      record({ path: rel, action: 'skipped', reason: 'le fichier a disparu pendant la synchronisation' });
      continue;
    }
    const stillThere = prev && (!prev.documentId || existingIds.has(prev.documentId));
    if (prev && stillThere && prev.size === st.size && prev.mtimeMs === st.mtimeMs) {
      next.files[rel] = prev;
      counts.unchanged++;
      continue;
    }
    if (st.size > o.maxBytes) {
      if (prev) next.files[rel] = prev;
      record({
        path: rel,
        action: 'failed',
        reason: `dépasse la taille maximale acceptée (${Math.ceil(o.maxBytes / 1024 / 1024)} Mo)`,
      });
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(full);
    } catch {
      if (prev) next.files[rel] = prev;
      record({ path: rel, action: 'skipped', reason: 'le fichier a disparu pendant la synchronisation' });
      continue;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (prev && stillThere && prev.sha256 === sha256) {
      next.files[rel] = { ...prev, size: st.size, mtimeMs: st.mtimeMs };
      counts.unchanged++;
      continue;
    }
    const renamedFrom = !prev ? gone.get(sha256) : undefined;
    if (renamedFrom && !claimed.has(renamedFrom)) {
      const from = old.files[renamedFrom];
      if (!from.documentId || existingIds.has(from.documentId)) {
        claimed.add(renamedFrom);
        next.files[rel] = { ...from, size: st.size, mtimeMs: st.mtimeMs };
        record({ path: rel, action: 'renamed', from: renamedFrom, documentId: from.documentId ?? undefined });
        continue;
      }
    }
    const externalId = prev?.externalId ?? rel;
    try {
      const r = await ingestDocument({
        store: o.store,
        orgId: o.orgId,
        collectionId: o.collectionId,
        fileName: posix.basename(rel),
        externalId,
        bytes,
        maxBytes: o.maxBytes,
        chunkTokens: o.chunkTokens,
        embed: o.embed,
        signal: o.signal,
      });
      const owned = r.status !== 'duplicate' || (prev?.owned === true && prev.documentId === r.document.id);
      next.files[rel] = {
        size: st.size,
        mtimeMs: st.mtimeMs,
        sha256,
        documentId: r.document.id,
        externalId,
        owned,
      };
      existingIds.add(r.document.id);
      record({ path: rel, action: prev ? 'changed' : 'added', documentId: r.document.id });
    } catch (e) {
      if (!isAppError(e)) throw e;
      // Kept with its hash so that an unchanged bad file is not retried at every poll.
      next.files[rel] = {
        size: st.size,
        mtimeMs: st.mtimeMs,
        sha256,
        documentId: null,
        externalId,
        owned: false,
      };
      record({ path: rel, action: 'failed', reason: e.message });
    }
  }
  o.onProgress?.(files.length, files.length);

  // Entries not seen this time: kept when protected, else their documents are released.
  for (const [p, t] of Object.entries(old.files)) {
    if (p in next.files || claimed.has(p)) continue;
    if (protectedPath(p)) {
      next.files[p] = t;
      continue;
    }
    record({ path: p, action: 'removed', documentId: t.documentId ?? undefined });
  }
  // A document is removed when the sync owned it and no file of the folder leads to it any more.
  const referenced = new Set(Object.values(next.files).map((t) => t.documentId));
  const owned = new Set(
    Object.values(old.files)
      .filter((t) => t.owned && t.documentId)
      .map((t) => t.documentId!),
  );
  for (const id of owned) {
    if (referenced.has(id)) continue;
    if (await o.store.documents.get(id)) await o.store.documents.delete(id);
  }
  await o.store.meta.set(syncStateKey(o.collectionId), JSON.stringify(next));
  const c = counts;
  return finish(
    'completed',
    `${files.length} fichier(s) examinés : ${c.added} ajouté(s), ${c.changed} modifié(s), ${c.renamed} renommé(s), ` +
      `${c.removed} supprimé(s), ${c.unchanged} inchangé(s), ${c.failed} en échec, ${c.skipped} ignoré(s).`,
  );
}

/** Files under `folder` (relative, `/`-separated, sorted), hidden entries skipped. */
async function listFiles(
  folder: string,
): Promise<{ files: string[]; unreadable: string[]; rootError: string | null }> {
  const files: string[] = [];
  const unreadable: string[] = [];
  let rootError: string | null = null;
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(rel ? join(folder, ...rel.split('/')) : folder, { withFileTypes: true });
    } catch (e) {
      if (rel) unreadable.push(rel);
      else rootError = describeFsError(e as NodeJS.ErrnoException);
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith('.') || entry.name.startsWith('~$')) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) files.push(child);
      if (files.length > MAX_SYNC_FILES + REPORT_MAX_FILES) return;
    }
  };
  await walk('');
  return { files, unreadable, rootError };
}

function describeFsError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'introuvable : partage non monté ?';
    case 'EACCES':
    case 'EPERM':
      return 'accès refusé';
    case 'ENOTDIR':
      return "ce n'est pas un dossier";
    case 'EIO':
    case 'EHOSTDOWN':
    case 'ETIMEDOUT':
    case 'ESTALE':
      return 'erreur de lecture : partage réseau indisponible ?';
    default:
      return e.code ?? e.message;
  }
}

/** The sync report as the CLI prints it. */
export function formatSyncReport(r: SyncReport): string {
  const labels: Record<SyncAction, string> = {
    added: 'ajouté',
    changed: 'modifié',
    renamed: 'renommé',
    removed: 'supprimé',
    failed: 'en échec',
    skipped: 'ignoré',
  };
  const lines = [r.message];
  for (const f of r.files) {
    const detail = f.from ? ` (ancien nom : ${f.from})` : f.reason ? ` : ${f.reason}` : '';
    lines.push(`  - ${labels[f.action]} : ${f.path}${detail}`);
  }
  if (r.filesOmitted) lines.push(`  … et ${r.filesOmitted} autre(s).`);
  return lines.join('\n');
}

export function assertSyncable(report: SyncReport): void {
  if (report.status === 'unreachable') throw new AppError('service_unavailable', report.message);
}
