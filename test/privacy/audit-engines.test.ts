import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openServices } from '../../src/cli/context.js';
import { startPrivacyDuties } from '../../src/cli/commands/serve.js';
import { runCli } from '../helpers/cli.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';

/**
 * The audit log and the retention purge hold on every engine: `orgs create` + `keys create` write
 * their entries, and a server's start records its configuration and runs the purge (which writes
 * its own entry), on SQLite and on PostgreSQL alike.
 */
const reason = await unreachableReason();
if (reason && process.env.CI === 'true') throw new Error(`${reason} (CI=true : PostgreSQL est requis)`);
if (reason) console.warn(`[audit] ${reason} : volet PostgreSQL ignoré.`);

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
}, 60_000);

type Engine = { name: string; env: () => Promise<Record<string, string>> };
const engines: Engine[] = [
  {
    name: 'sqlite',
    env: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'guichet-audit-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return { GUICHET_DATA_DIR: dir };
    },
  },
  ...(reason
    ? []
    : [
        {
          name: 'postgres',
          env: async () => {
            const db = await createDatabase();
            cleanups.push(() => dropDatabase(db.name));
            const dir = mkdtempSync(join(tmpdir(), 'guichet-audit-'));
            cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
            return { GUICHET_DATA_DIR: dir, DATABASE_URL: db.url };
          },
        },
      ]),
];

const overridesOf = (env: Record<string, string>) => ({
  data_dir: env.GUICHET_DATA_DIR,
  log_level: 'silent',
  ...(env.DATABASE_URL ? { store: { database_url: env.DATABASE_URL } } : {}),
});

describe.each(engines)('audit and purge on $name', (engine) => {
  it('`orgs create` and `keys create` write their audit entries; a server start records its configuration and runs the purge', async () => {
    const env = await engine.env();
    const org = runCli(['orgs', 'create', '--name', 'Mairie de Test', '--id', 'mairie-test'], env);
    expect(org.status, org.stderr).toBe(0);
    const key = runCli(['keys', 'create', '--org', 'mairie-test', '--role', 'admin'], env);
    expect(key.status, key.stderr).toBe(0);

    const services = await openServices(overridesOf(env));
    try {
      const types = async () => (await services.store.audit.list({ limit: 1000 })).map((e) => e.type);
      expect(await types()).toEqual(expect.arrayContaining(['organisation.created', 'key.created']));
      const stop = await startPrivacyDuties(services);
      try {
        // The first purge runs at once, in the background.
        for (let i = 0; i < 100 && !(await types()).includes('privacy.purge'); i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(await types()).toEqual(expect.arrayContaining(['config.loaded', 'privacy.purge']));
      } finally {
        stop();
      }
      expect((await services.audit!.verify()).ok).toBe(true);
    } finally {
      await services.router.close();
      await services.store.close();
    }
  }, 120_000);
});
