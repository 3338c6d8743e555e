import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services.js';
import { corpusStatus } from '../../usecases/corpus-status.js';
import type { AppEnv } from '../env.js';
import { lastBackup } from '../../usecases/scheduled-backup.js';

export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.get('/health', async (c) => {
    const backup = await lastBackup(services.store).catch(() => null);
    return c.json({
      status: 'ok',
      store: services.store.info.adapter,
      vectors: services.store.info.vectors,
      lexical_memory_index: services.store.search.lexicalCache().ready,
      uptime_s: Math.round((Date.now() - services.startedAt.getTime()) / 1000),
      // Contract (web UI): { date: "YYYY-MM-DD" | null, stale, last_refresh: { at, ok, message } | null }.
      corpus: await corpusStatus(services.store, services.config.knowledge.stale_after_months),
      backup: {
        schedule: services.config.backup.schedule,
        last: backup && { at: backup.at, ok: backup.ok, bytes: backup.bytes, message: backup.message },
      },
    });
  });
}
