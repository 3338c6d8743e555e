import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../src/accounts/create-api-key.js';
import { AuditLog } from '../../src/privacy/audit-log.js';
import { auditedStore } from '../../src/privacy/audited-store.js';
import { runAsActor } from '../../src/privacy/audit-context.js';
import { purgeExpiredData } from '../../src/privacy/retention.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { runCli } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store with a few audited changes: organisation, user, key created then revoked, quota. */
async function seeded(): Promise<{ raw: SqliteStore; audit: AuditLog; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-audit-'));
  dirs.push(dir);
  const raw = openSqliteStore(dir);
  const audit = new AuditLog(raw);
  const store = auditedStore(raw, audit);
  await runAsActor({ via: 'cli' }, async () => {
    await store.accounts.orgs.create({ id: 'mairie', name: 'Mairie de Test' });
    const user = await store.accounts.users.create({
      email: 'agent@mairie.fr',
      name: 'Agent Test',
      orgId: 'mairie',
      role: 'agent',
    });
    const k = await createApiKey({
      store,
      orgId: 'mairie',
      role: 'developer',
      userId: user.id,
      name: 'intégration',
    });
    await revokeApiKey({ store, id: k.record.id });
    await store.accounts.quotas.set('org', 'mairie', {
      requestsPerMinute: 10,
      requestsPerDay: null,
      tokensPerMinute: null,
      tokensPerDay: null,
      monthlyCredits: 5,
    });
    await store.collections.create({ orgId: 'mairie', name: 'Délibérations', visibility: 'private' });
  });
  return { raw, audit, dir };
}

describe('hash-chained audit log', () => {
  it('records changes with their actor, never names or e-mails, and verifies', async () => {
    const { raw, audit } = await seeded();
    const entries = await audit.page({ limit: 100 });
    expect(entries.map((e) => e.type)).toEqual([
      'organisation.created',
      'user.created',
      'key.created',
      'key.revoked',
      'quota.changed',
      'collection.created',
    ]);
    expect(entries.every((e) => e.actor === 'cli')).toBe(true);
    const text = JSON.stringify(entries);
    expect(text).not.toMatch(/agent@mairie\.fr|Agent Test/);
    expect(text).toMatch(/sub_[0-9a-f]{20}/);
    expect(entries[4].data).toMatchObject({
      args: ['org', 'mairie', { requestsPerMinute: 10, monthlyCredits: 5 }],
    });
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 6, problems: [] });
    await raw.close();
  });

  it('detects an edited entry', async () => {
    const { raw, audit } = await seeded();
    raw.db.prepare(`UPDATE audit_log SET data = '{"args":["key_x"]}' WHERE seq = 4`).run();
    const r = await audit.verify();
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ seq: 4, kind: 'edited' })]);
    await raw.close();
  });

  it('detects an edited timestamp, even with its hash recomputed without the chain', async () => {
    const { raw, audit } = await seeded();
    raw.db.prepare(`UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 2`).run();
    expect((await audit.verify()).problems[0]).toMatchObject({ seq: 2, kind: 'edited' });
    await raw.close();
  });

  it('detects a deleted entry in the middle, at the start and at the end', async () => {
    for (const seq of [3, 1, 6]) {
      const { raw, audit } = await seeded();
      raw.db.prepare('DELETE FROM audit_log WHERE seq = ?').run(seq);
      const r = await audit.verify();
      expect(r.ok, `seq ${seq}`).toBe(false);
      expect(r.problems.map((p) => p.kind)).toContain(seq === 6 ? 'truncated' : 'deleted');
      await raw.close();
    }
  });

  it('detects reordered entries (contents swapped between two positions)', async () => {
    const { raw, audit } = await seeded();
    const cols = 'at, type, org_id, actor, data, prev_hash, hash';
    const a = raw.db.prepare(`SELECT ${cols} FROM audit_log WHERE seq = 3`).get() as Record<string, unknown>;
    const b = raw.db.prepare(`SELECT ${cols} FROM audit_log WHERE seq = 4`).get() as Record<string, unknown>;
    const set = raw.db.prepare(
      `UPDATE audit_log SET at = @at, type = @type, org_id = @org_id, actor = @actor, data = @data, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq`,
    );
    set.run({ ...b, seq: 3 });
    set.run({ ...a, seq: 4 });
    const r = await audit.verify();
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.kind)).toContain('reordered');
    await raw.close();
  });

  it('a retention purge of old entries keeps the chain verifiable; deleting more does not', async () => {
    const { raw, audit } = await seeded();
    raw.db.prepare(`UPDATE audit_log SET at = '2000-01-01T00:00:00.000Z' WHERE seq <= 3`).run();
    // Re-seal the back-dated entries as if they had been written then (the test's own time machine).
    const { entryHash } = await import('../../src/privacy/audit-log.js');
    let prev = '0'.repeat(64);
    for (const e of await audit.page({ limit: 100 })) {
      const hash = entryHash({ ...e, prevHash: prev });
      raw.db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, e.seq);
      prev = hash;
    }
    raw.db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('audit.head', ?)`).run(`6:${prev}`);
    expect((await audit.verify()).ok).toBe(true);
    const r = await purgeExpiredData({
      store: raw,
      audit,
      retention: { conversations_days: 90, usage_days: 365, audit_days: 365, documents_days: 0 },
    });
    expect(r.counts.audit).toBe(3);
    const entries = await audit.page({ limit: 100 });
    expect(entries[0].seq).toBe(4);
    expect(entries.at(-1)).toMatchObject({ type: 'privacy.purge', data: { counts: { audit: 3 } } });
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 4 });
    raw.db.prepare('DELETE FROM audit_log WHERE seq = 4').run();
    expect((await audit.verify()).problems.map((p) => p.kind)).toContain('deleted');
    await raw.close();
  });

  it('guichet audit verify exits non-zero on a tampered file (real command)', async () => {
    const { raw, dir } = await seeded();
    await raw.close();
    const ok = runCli(['audit', 'verify'], { GUICHET_DATA_DIR: dir });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/intègre : 6 entrée/);
    const again = openSqliteStore(dir);
    again.db.prepare(`UPDATE audit_log SET type = 'key.created' WHERE seq = 4`).run();
    await again.close();
    const bad = runCli(['audit', 'verify'], { GUICHET_DATA_DIR: dir });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/ALTÉRÉ[\s\S]*entrée 4 modifiée/);
  }, 120_000);
});
