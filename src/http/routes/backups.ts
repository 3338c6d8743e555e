import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services.js';
import { backupFolder, backupStore } from '../../usecases/backup-store.js';
import { lastBackup, listBackups } from '../../usecases/scheduled-backup.js';
import type { AppEnv } from '../env.js';
import { errors } from './admin/shared.js';

const BackupFile = z
  .object({ name: z.string(), bytes: z.number().int(), created_at: z.string(), automatic: z.boolean() })
  .openapi('BackupFile');
const Status = z
  .object({
    at: z.string(),
    ok: z.boolean(),
    file: z.string().nullable(),
    bytes: z.number().int().nullable(),
    duration_ms: z.number(),
    message: z.string().nullable(),
  })
  .openapi('BackupStatus');
const Listing = z
  .object({
    object: z.literal('list'),
    folder: z.string(),
    schedule: z.string(),
    last: Status.nullable(),
    data: z.array(BackupFile),
  })
  .openapi('Backups');

const list = createRoute({
  method: 'get',
  path: '/v1/admin/backups',
  summary: 'Sauvegardes : liste, taille et état de la dernière sauvegarde automatique (superadmin)',
  responses: {
    200: { description: 'Sauvegardes', content: { 'application/json': { schema: Listing } } },
    ...errors,
  },
});

const create = createRoute({
  method: 'post',
  path: '/v1/admin/backups',
  summary: 'Faire une sauvegarde maintenant (superadmin)',
  responses: {
    201: { description: 'Sauvegarde écrite', content: { 'application/json': { schema: BackupFile } } },
    ...errors,
  },
});

export function registerBackupRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(list, async (c) =>
    c.json(
      {
        object: 'list' as const,
        folder: backupFolder(services.config),
        schedule: services.config.backup.schedule,
        last: await lastBackup(services.store),
        data: listBackups(services.config),
      },
      200,
    ),
  );
  app.openapi(create, async (c) => {
    const r = await backupStore({
      config: services.config,
      passphrase: process.env.GUICHET_BACKUP_PASSPHRASE || undefined,
    });
    const name = r.file.split(/[/\\]/).pop()!;
    return c.json({ name, bytes: r.bytes, created_at: r.manifest.created_at, automatic: false }, 201);
  });
}
