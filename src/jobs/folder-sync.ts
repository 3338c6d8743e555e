/**
 * `guichet serve` keeps the collections that have a `sync` entry in the configuration in step with
 * their folder: a first sync a few seconds after start, then every `interval_seconds`, never two
 * at once for the same collection. Each sync's report is stored (see usecases/sync-folder.ts).
 */
import type { Services } from '../services.js';
import { documentEmbedder } from '../usecases/ingest-document.js';
import { syncFolder } from '../usecases/sync-folder.js';

export function scheduleFolderSyncs(
  services: Pick<Services, 'config' | 'store' | 'router' | 'logger' | 'retriever' | 'privacy'>,
  firstDelayMs = 5000,
): () => void {
  const timers: NodeJS.Timeout[] = [];
  const controller = new AbortController();
  for (const [collectionId, entry] of Object.entries(services.config.collections)) {
    if (!entry.sync) continue;
    const sync = entry.sync;
    let running = false;
    const run = async () => {
      if (running || controller.signal.aborted) return;
      running = true;
      try {
        const report = await syncFolder({
          store: services.store,
          orgId: entry.org,
          collectionId,
          folder: sync.folder,
          maxBytes: services.config.documents.max_upload_bytes,
          chunkTokens: services.config.search.chunk_tokens,
          embed: await documentEmbedder(services, entry.org),
          signal: controller.signal,
        });
        const log = report.status === 'completed' ? services.logger.info : services.logger.warn;
        log.call(
          services.logger,
          { collectionId, folder: report.folder, counts: report.counts },
          report.message,
        );
      } catch (err) {
        if (!controller.signal.aborted)
          services.logger.error({ collectionId, err: (err as Error)?.message }, 'folder sync failed');
      } finally {
        running = false;
      }
    };
    const first = setTimeout(() => void run(), firstDelayMs);
    first.unref();
    const every = setInterval(() => void run(), sync.interval_seconds * 1000);
    every.unref();
    timers.push(first, every);
  }
  return () => {
    controller.abort();
    for (const t of timers) clearTimeout(t);
  };
}
