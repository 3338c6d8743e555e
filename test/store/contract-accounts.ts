/**
 * The accounts and privacy part of the `Store` contract (organisations, users, keys, quotas,
 * counters, usage, sessions, audit chain, conversations, erasure): every adapter must pass it.
 * `openTwin`, when given, opens a second store on the same database (another pool, as another
 * replica would): counters and the audit chain must then stay exact across the two.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../../src/accounts/authenticate-api-key.js';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import type { LimitCheck } from '../../src/accounts/limiter.js';
import type { UsageRecord } from '../../src/accounts/model.js';
import { AuditLog } from '../../src/privacy/audit-log.js';
import type { Store } from '../../src/store/spec.js';

function usage(o: Partial<UsageRecord> & { at: string }): UsageRecord {
  return {
    orgId: 'org-a',
    userId: null,
    keyId: null,
    endpoint: '/v1/chat/completions',
    model: 'guichet',
    promptTokens: 10,
    completionTokens: 5,
    credits: 1.5,
    latencyMs: 120,
    ttftMs: 40,
    status: 200,
    energyWh: 0.25,
    carbonG: 0.01,
    ...o,
  };
}

export function storeAccountsContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: () => Promise<void>,
  openTwin?: () => Promise<Store>,
): void {
  describe(`Store contract (accounts, privacy): ${name}`, () => {
    let store: Store;
    let twin: Store | undefined;
    beforeEach(async () => {
      store = await open();
      twin = undefined;
      await store.accounts.orgs.create({
        id: 'org-a',
        name: 'Mairie A',
        emailDomains: ['a.fr'],
        sensitive: true,
      });
      await store.accounts.orgs.create({ id: 'org-b', name: 'Mairie B' });
    });
    afterEach(async () => {
      await twin?.close();
      await store.close();
      await cleanup?.();
    });

    it('keeps organisations and users; e-mails are unique whatever their case', async () => {
      const org = await store.accounts.orgs.get('org-a');
      expect(org).toMatchObject({
        name: 'Mairie A',
        emailDomains: ['a.fr'],
        sensitive: true,
        allowSelfSignup: false,
      });
      await expect(store.accounts.orgs.create({ id: 'org-a', name: 'x' })).rejects.toMatchObject({
        code: 'conflict',
      });
      expect((await store.accounts.orgs.list()).map((o) => o.id).sort()).toEqual(['org-a', 'org-b']);
      const u = await store.accounts.users.create({
        email: 'Marie.Curie@a.fr',
        name: 'Marie',
        orgId: 'org-a',
        role: 'agent',
      });
      await expect(
        store.accounts.users.create({
          email: 'marie.curie@A.FR',
          name: 'Autre',
          orgId: 'org-b',
          role: 'agent',
        }),
      ).rejects.toMatchObject({ code: 'conflict' });
      await expect(
        store.accounts.users.create({ email: 'x@a.fr', name: 'X', orgId: 'absente', role: 'agent' }),
      ).rejects.toMatchObject({ code: 'not_found' });
      expect((await store.accounts.users.getByEmail('MARIE.curie@a.fr'))?.id).toBe(u.id);
      expect(await store.accounts.users.get(u.id)).toEqual(u);
      expect((await store.accounts.users.list('org-a')).map((x) => x.id)).toEqual([u.id]);
      expect(await store.accounts.users.list('org-b')).toEqual([]);
    });

    it('finds a key by its prefix, authenticates it by hash, refuses it once revoked', async () => {
      const { key, record } = await createApiKey({
        store,
        orgId: 'org-a',
        role: 'developer',
        name: 'intégration',
      });
      expect((await store.accounts.keys.findByPrefix(record.prefix))?.hash).toBe(record.hash);
      expect(await store.accounts.keys.findByPrefix('inconnu')).toBeNull();
      const principal = await authenticateApiKey(store, key);
      expect(principal).toMatchObject({ orgId: 'org-a', keyId: record.id, role: 'developer', via: 'key' });
      expect((await store.accounts.keys.get(record.id))?.lastUsedAt).not.toBeNull();
      await expect(
        store.accounts.keys.create({
          orgId: 'org-b',
          userId: null,
          name: 'x',
          role: 'agent',
          prefix: record.prefix,
          hash: 'h',
          expiresAt: null,
        }),
      ).rejects.toMatchObject({ code: 'conflict' });
      await createApiKey({ store, orgId: 'org-b', role: 'agent' });
      expect(await store.accounts.keys.count()).toBe(2);
      expect((await store.accounts.keys.list('org-a')).map((k) => k.id)).toEqual([record.id]);
      const revoked = await store.accounts.keys.revoke(record.id, '2030-01-01T00:00:00.000Z');
      expect(revoked?.revokedAt).toBe('2030-01-01T00:00:00.000Z');
      expect((await store.accounts.keys.revoke(record.id, '2031-01-01T00:00:00.000Z'))?.revokedAt).toBe(
        '2030-01-01T00:00:00.000Z',
      );
      await expect(authenticateApiKey(store, key)).rejects.toMatchObject({ code: 'invalid_api_key' });
      expect(await store.accounts.keys.revoke('key_absente', 'x')).toBeNull();
    });

    it('stores quotas per scope and replaces them', async () => {
      expect(await store.accounts.quotas.get('org', 'org-a')).toBeNull();
      const l = {
        requestsPerMinute: 60,
        requestsPerDay: null,
        tokensPerMinute: 10_000,
        tokensPerDay: 5_000_000_000,
        monthlyCredits: 0,
      };
      expect(await store.accounts.quotas.set('org', 'org-a', l)).toEqual(l);
      const l2 = { ...l, requestsPerMinute: null };
      await store.accounts.quotas.set('org', 'org-a', l2);
      expect(await store.accounts.quotas.get('org', 'org-a')).toEqual(l2);
      expect(await store.accounts.quotas.get('key', 'org-a')).toBeNull();
    });

    it('counts exactly under 50 concurrent consumes, all-or-nothing across counters', async () => {
      const now = 1_700_000_000_000;
      const resetAt = now + 60_000;
      const checks = (limitTokens: number | null): LimitCheck[] => [
        { key: 'org:org-a:requests:minute:1', limit: 20, cost: 1, resetAt },
        { key: 'key:k1:tokens:minute:1', limit: limitTokens, cost: 3, resetAt },
        { key: 'org:org-a:requests:day:1', limit: null, cost: 1, resetAt: resetAt + 86_400_000 },
      ];
      if (openTwin) twin = await openTwin();
      const stores = twin ? [store, twin] : [store];
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          stores[i % stores.length].accounts.counters.consume(checks(null), now),
        ),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(20);
      expect(results.filter((r) => !r.allowed).every((r) => r.denied === 0)).toBe(true);
      expect(
        results
          .filter((r) => r.allowed)
          .map((r) => r.used[0])
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // A check with cost 0 reads without adding: the day counter saw exactly the 20 allowed.
      const probe = await store.accounts.counters.consume(
        [
          { key: 'org:org-a:requests:day:1', limit: null, cost: 0, resetAt },
          { key: 'key:k1:tokens:minute:1', limit: null, cost: 0, resetAt },
        ],
        now,
      );
      expect(probe.used).toEqual([20, 60]);
      // Second counter over: nothing is added to the first one either.
      const refused = await store.accounts.counters.consume(
        [
          { key: 'org:org-b:requests:minute:1', limit: 5, cost: 1, resetAt },
          { key: 'key:k1:tokens:minute:1', limit: 61, cost: 3, resetAt },
        ],
        now,
      );
      expect(refused).toEqual({ allowed: false, used: [0, 60], denied: 1 });
      const after = await store.accounts.counters.consume(
        [{ key: 'org:org-b:requests:minute:1', limit: 5, cost: 1, resetAt }],
        now,
      );
      expect(after.used).toEqual([1]);
      // Windows that ended are forgotten.
      await store.accounts.counters.sweep(resetAt + 1);
      const fresh = await store.accounts.counters.consume(
        [{ key: 'org:org-a:requests:minute:1', limit: 20, cost: 1, resetAt: resetAt * 2 }],
        resetAt + 1,
      );
      expect(fresh).toEqual({ allowed: true, used: [1], denied: -1 });
    });

    it('sums usage per organisation and time range, in daily UTC buckets', async () => {
      const rows = [
        usage({ at: '2025-03-01T23:59:59.000Z' }),
        usage({ at: '2025-03-02T00:00:00.000Z', promptTokens: 100, model: 'autre' }),
        usage({ at: '2025-03-02T12:00:00.000Z', credits: 2.25, energyWh: null, carbonG: null }),
        usage({ at: '2025-03-03T08:00:00.000Z' }),
        usage({ at: '2025-03-02T10:00:00.000Z', orgId: 'org-b', promptTokens: 1000 }),
      ];
      for (const r of rows) await store.accounts.usage.record(r);
      const f = { orgId: 'org-a', from: '2025-03-01T00:00:00.000Z', to: '2025-03-03T00:00:00.000Z' };
      expect(await store.accounts.usage.totals(f)).toEqual({
        requests: 3,
        promptTokens: 120,
        completionTokens: 15,
        credits: 5.25,
        energyWh: 0.5,
        carbonG: 0.02,
      });
      const days = await store.accounts.usage.daily({ orgId: 'org-a' });
      expect(days.map((d) => [d.day, d.requests, d.promptTokens])).toEqual([
        ['2025-03-01', 1, 10],
        ['2025-03-02', 2, 110],
        ['2025-03-03', 1, 10],
      ]);
      expect((await store.accounts.usage.totals({ orgId: 'org-a', model: 'autre' })).requests).toBe(1);
      const listed = await store.accounts.usage.list({ orgId: 'org-a', limit: 2 });
      expect(listed.map((r) => r.at)).toEqual(['2025-03-03T08:00:00.000Z', '2025-03-02T12:00:00.000Z']);
      expect(listed[1]).toEqual(rows[2]);
      expect((await store.accounts.usage.totals({ orgId: 'org-c' })).requests).toBe(0);
    });

    it('reads usage back as soon as it is recorded, in recording order, and another replica soon after', async () => {
      const at = '2025-04-01T10:00:00.000Z';
      // Recorded without waiting for one another, as concurrent requests do (adapters may buffer them).
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.accounts.usage.record(usage({ at, promptTokens: i }))),
      );
      const listed = await store.accounts.usage.list({ orgId: 'org-a', limit: 100 });
      expect(listed.map((r) => r.promptTokens)).toEqual(Array.from({ length: 30 }, (_, i) => 29 - i));
      expect(await store.accounts.usage.totals({ orgId: 'org-a' })).toMatchObject({
        requests: 30,
        promptTokens: 435,
      });
      await store.accounts.usage.record(usage({ at: '2025-04-02T00:00:00.000Z' }));
      const days = await store.accounts.usage.daily({ orgId: 'org-a' });
      expect(days.map((d) => [d.day, d.requests])).toEqual([
        ['2025-04-01', 30],
        ['2025-04-02', 1],
      ]);
      if (!openTwin) return;
      const other = (twin = await openTwin());
      await store.accounts.usage.record(usage({ at: '2025-04-03T00:00:00.000Z' }));
      await expect
        .poll(async () => (await other.accounts.usage.totals({ orgId: 'org-a' })).requests, { timeout: 5000 })
        .toBe(32);
    });

    it('keeps sessions and uses a sign-in request once', async () => {
      const u = await store.accounts.users.create({
        email: 's@a.fr',
        name: 'S',
        orgId: 'org-a',
        role: 'agent',
      });
      const s = {
        idHash: 'h1',
        userId: u.id,
        keyId: null,
        orgId: 'org-a',
        createdAt: '2025-01-01T00:00:00.000Z',
        expiresAt: '2025-01-02T00:00:00.000Z',
      };
      await store.accounts.sessions.create(s);
      await store.accounts.sessions.create({ ...s, idHash: 'h2', expiresAt: '2025-01-03T00:00:00.000Z' });
      expect(await store.accounts.sessions.get('h1')).toEqual(s);
      const p = {
        idHash: 'p1',
        state: 'st',
        nonce: 'no',
        codeVerifier: 'cv',
        returnTo: '/',
        expiresAt: '2025-01-01T00:10:00.000Z',
      };
      await store.accounts.sessions.putPending(p);
      const taken = await Promise.all([
        store.accounts.sessions.takePending('p1'),
        store.accounts.sessions.takePending('p1'),
      ]);
      expect(taken.filter(Boolean)).toEqual([p]);
      await store.accounts.sessions.putPending({ ...p, idHash: 'p2' });
      expect(await store.accounts.sessions.deleteExpired('2025-01-02T00:00:00.000Z')).toBe(2);
      expect(await store.accounts.sessions.get('h1')).toBeNull();
      await store.accounts.sessions.delete('h2');
      expect(await store.accounts.sessions.get('h2')).toBeNull();
    });

    it('keeps sessions opened with a key', async () => {
      const { record } = await createApiKey({ store, orgId: 'org-a', role: 'admin' });
      const s = {
        idHash: 'k1',
        userId: null,
        keyId: record.id,
        orgId: 'org-a',
        createdAt: '2025-01-01T00:00:00.000Z',
        expiresAt: '2099-01-01T00:00:00.000Z',
      };
      await store.accounts.sessions.create(s);
      expect(await store.accounts.sessions.get('k1')).toEqual(s);
      await store.accounts.sessions.create({ ...s, idHash: 'k2', expiresAt: '2024-01-01T00:00:00.000Z' });
      expect(await store.accounts.sessions.deleteExpired('2025-01-01T00:00:00.000Z')).toBe(1);
      expect(await store.accounts.sessions.get('k1')).toEqual(s);
    });

    it('knows whether an administrator exists, and uses a set-up link once', async () => {
      const now = '2025-06-01T00:00:00.000Z';
      expect(await store.accounts.setup.hasAdmin(now)).toBe(false);
      await store.accounts.users.create({ email: 'ag@a.fr', name: 'Agent', orgId: 'org-a', role: 'agent' });
      await createApiKey({ store, orgId: 'org-a', role: 'developer' });
      const revoked = await createApiKey({ store, orgId: 'org-a', role: 'admin' });
      await store.accounts.keys.revoke(revoked.record.id, now);
      await createApiKey({
        store,
        orgId: 'org-a',
        role: 'superadmin',
        expiresInDays: 1,
        now: Date.parse(now),
      });
      // Agents, developers, a revoked admin key, an expired superadmin key: no administrator.
      expect(await store.accounts.setup.hasAdmin('2025-06-03T00:00:00.000Z')).toBe(false);
      expect(await store.accounts.setup.hasAdmin(now)).toBe(true); // the superadmin key still runs
      await createApiKey({ store, orgId: 'org-b', role: 'admin' });
      expect(await store.accounts.setup.hasAdmin('2025-06-03T00:00:00.000Z')).toBe(true);

      const t = { hash: 'a'.repeat(64), createdAt: now, expiresAt: '2025-06-01T01:00:00.000Z' };
      await store.accounts.setup.putToken(t);
      await store.accounts.setup.putToken({ ...t, hash: 'b'.repeat(64) });
      expect(await store.accounts.setup.getToken(t.hash)).toEqual(t);
      expect(await store.accounts.setup.getToken('c'.repeat(64))).toBeNull();
      const taken = await Promise.all([
        store.accounts.setup.takeToken(t.hash),
        store.accounts.setup.takeToken(t.hash),
      ]);
      expect(taken.filter(Boolean)).toEqual([t]);
      expect(await store.accounts.setup.getToken(t.hash)).toBeNull();
      expect(await store.accounts.setup.deleteTokens()).toBe(1);
      expect(await store.accounts.setup.getToken('b'.repeat(64))).toBeNull();
    });

    it('counts a person with the admin role as an administrator', async () => {
      await store.accounts.users.create({ email: 'adm@b.fr', name: 'Adm', orgId: 'org-b', role: 'admin' });
      expect(await store.accounts.setup.hasAdmin(new Date().toISOString())).toBe(true);
    });

    it('appends one audit chain under concurrent writers, verifiable, purgeable with an anchor', async () => {
      if (openTwin) twin = await openTwin();
      const logs = [new AuditLog(store), new AuditLog(twin ?? store)];
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          logs[i % 2].append({
            type: 'test.event',
            orgId: i % 3 ? 'org-a' : 'org-b',
            actorName: 'system',
            data: { i, nested: { b: 1, a: [1.5, 'é'] } },
          }),
        ),
      );
      const audit = new AuditLog(store);
      const check = await audit.verify();
      expect(check).toMatchObject({ ok: true, entries: 30, problems: [] });
      const all = await store.audit.list({ limit: 100 });
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect((await store.audit.list({ limit: 100, orgId: 'org-b' })).length).toBe(10);
      expect((await store.audit.list({ afterSeq: 28, limit: 5 })).map((e) => e.seq)).toEqual([29, 30]);
      const subject = await store.audit.subjectOf('usr_1');
      expect(subject).toMatch(/^sub_/);
      expect(await store.audit.subjectOf('usr_1')).toBe(subject);
      expect(await store.audit.findSubject('usr_2')).toBeNull();
      const cut = await store.audit.deleteBefore('9999-01-01T00:00:00.000Z');
      expect(cut.deleted).toBe(29);
      await audit.append({
        type: 'privacy.purge',
        actorName: 'system',
        data: { audit_anchor: `${cut.last!.seq}:${cut.last!.hash}` },
      });
      expect(await audit.verify()).toMatchObject({ ok: true, entries: 2 });
    });

    it('keeps conversations with messages and feedback, and deletes them together', async () => {
      const c = await store.conversations.create({ orgId: 'org-a', userId: 'usr_x', title: 'Carte grise' });
      expect(await store.conversations.get(c.id)).toEqual(c);
      const q = await store.conversations.addMessage({
        conversationId: c.id,
        role: 'user',
        content: 'Comment faire ?',
      });
      const a = await store.conversations.addMessage({
        conversationId: c.id,
        role: 'assistant',
        content: '',
        complete: false,
      });
      expect(a.complete).toBe(false);
      const done = await store.conversations.updateMessage(a.id, {
        content: 'Ainsi.',
        citations: [{ url: 'https://x' }],
        complete: true,
      });
      expect(done).toMatchObject({ content: 'Ainsi.', citations: [{ url: 'https://x' }], complete: true });
      expect(await store.conversations.updateMessage('msg_absent', { content: 'x' })).toBeNull();
      expect((await store.conversations.messages(c.id)).map((m) => m.id)).toEqual([q.id, a.id]);
      // An agent's review of the answer (AI Act marking): set, kept, cleared.
      expect(done).toMatchObject({ reviewedBy: null, reviewedAt: null });
      const reviewed = await store.conversations.setReviewed(a.id, { by: 'usr_x' });
      expect(reviewed).toMatchObject({ id: a.id, content: 'Ainsi.', reviewedBy: 'usr_x' });
      expect(Date.parse(reviewed!.reviewedAt!)).not.toBeNaN();
      expect((await store.conversations.messages(c.id))[1]).toEqual(reviewed);
      expect(await store.conversations.setReviewed(a.id, null)).toMatchObject({
        reviewedBy: null,
        reviewedAt: null,
      });
      expect(await store.conversations.setReviewed('msg_absent', { by: null })).toBeNull();
      const fb = await store.conversations.addFeedback({
        messageId: a.id,
        orgId: 'org-a',
        userId: 'usr_x',
        rating: 1,
        tags: ['clair'],
      });
      expect(await store.conversations.feedback(a.id)).toEqual([fb]);
      const other = await store.conversations.create({ orgId: 'org-a', userId: 'usr_x' });
      await new Promise((r) => setTimeout(r, 5));
      await store.conversations.rename(c.id, 'Immatriculation');
      expect((await store.conversations.listByUser('usr_x')).map((x) => [x.id, x.title])).toEqual([
        [c.id, 'Immatriculation'],
        [other.id, ''],
      ]);
      await store.conversations.delete(c.id);
      expect(await store.conversations.get(c.id)).toBeNull();
      expect(await store.conversations.messages(c.id)).toEqual([]);
      expect(await store.conversations.feedback(a.id)).toEqual([]);
    });

    it('keeps the inventory of AI tools per organisation, by name, and deletes a tool', async () => {
      const t = await store.aiTools.create({
        orgId: 'org-a',
        name: 'Traducteur',
        details: { provider: 'TradCo', checklist: { concrete_need: true } },
      });
      await store.aiTools.create({ orgId: 'org-a', name: 'Agenda', details: {} });
      await store.aiTools.create({ orgId: 'org-b', name: 'Autre', details: {} });
      expect(await store.aiTools.get(t.id)).toEqual(t);
      expect((await store.aiTools.list('org-a')).map((x) => x.name)).toEqual(['Agenda', 'Traducteur']);
      const changed = await store.aiTools.update(t.id, { details: { provider: 'TradCo', notes: 'vu' } });
      expect(changed).toMatchObject({ name: 'Traducteur', details: { provider: 'TradCo', notes: 'vu' } });
      expect(await store.aiTools.update('aitool_absent', { name: 'x' })).toBeNull();
      await store.aiTools.delete(t.id);
      expect(await store.aiTools.get(t.id)).toBeNull();
      expect((await store.aiTools.list('org-a')).map((x) => x.name)).toEqual(['Agenda']);
      expect(await store.aiTools.list('org-b')).toHaveLength(1);
    });

    it('keeps services per organisation, their people and pilot flags; reads the pilot rows by period and service', async () => {
      const svc = store.accounts.services;
      const accueil = await svc.create({ orgId: 'org-a', name: 'Accueil', pilotSince: '2026-11-02' });
      const juridique = await svc.create({ orgId: 'org-a', name: 'Service juridique' });
      await svc.create({ orgId: 'org-b', name: 'Accueil' });
      await expect(svc.create({ orgId: 'org-a', name: 'ACCUEIL' })).rejects.toMatchObject({
        code: 'conflict',
      });
      await expect(svc.create({ orgId: 'org-x', name: 'X' })).rejects.toMatchObject({ code: 'not_found' });
      await expect(svc.update(juridique.id, { name: 'accueil' })).rejects.toMatchObject({ code: 'conflict' });
      expect((await svc.list('org-a')).map((s) => [s.name, s.pilotSince])).toEqual([
        ['Accueil', '2026-11-02'],
        ['Service juridique', null],
      ]);
      expect(await svc.update(juridique.id, { pilotSince: '2026-11-09' })).toMatchObject({
        name: 'Service juridique',
        pilotSince: '2026-11-09',
      });
      expect(await svc.update('svc_absent', { name: 'x' })).toBeNull();
      expect(await svc.orgPilot('org-a')).toBeNull();
      await svc.setOrgPilot('org-a', '2026-11-16');
      expect(await svc.orgPilot('org-a')).toBe('2026-11-16');
      const u = await store.accounts.users.create({
        email: 'p@a.fr',
        name: 'P',
        orgId: 'org-a',
        role: 'agent',
      });
      expect(u.serviceId).toBeNull();
      expect((await store.accounts.users.setService(u.id, juridique.id))?.serviceId).toBe(juridique.id);
      expect((await store.accounts.users.list('org-a'))[0].serviceId).toBe(juridique.id);
      expect((await svc.delete(juridique.id))?.id).toBe(juridique.id);
      expect(await svc.delete(juridique.id)).toBeNull();
      expect((await store.accounts.users.get(u.id))?.serviceId).toBeNull();

      const conv = await store.conversations.create({ orgId: 'org-a', userId: u.id, serviceId: accueil.id });
      expect(conv.serviceId).toBe(accueil.id);
      const plain = await store.conversations.create({ orgId: 'org-a', userId: u.id });
      const foreign = await store.conversations.create({
        orgId: 'org-b',
        userId: null,
        serviceId: accueil.id,
      });
      for (const c of [conv, plain, foreign]) {
        await store.conversations.addMessage({ conversationId: c.id, role: 'user', content: 'Question ?' });
        const a = await store.conversations.addMessage({
          conversationId: c.id,
          role: 'assistant',
          content: 'Aucune source.',
          noSource: c === conv,
        });
        await store.conversations.addFeedback({ messageId: a.id, orgId: c.orgId, userId: null, rating: -1 });
      }
      const from = new Date(Date.now() - 60_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const all = await store.conversations.pilotRows({ orgId: 'org-a', from, to });
      expect(all.messages).toHaveLength(4);
      expect(all.feedback).toHaveLength(2);
      const mine = await store.conversations.pilotRows({ orgId: 'org-a', from, to, serviceId: accueil.id });
      expect(mine.messages.map((m) => [m.role, m.noSource, m.serviceId])).toEqual([
        ['user', false, accueil.id],
        ['assistant', true, accueil.id],
      ]);
      expect(mine.feedback).toHaveLength(1);
      expect((await store.conversations.pilotRows({ orgId: 'org-a', from: to, to })).messages).toEqual([]);
    });

    it('exports a user, then erasure leaves nothing of them but anonymous usage', async () => {
      const u = await store.accounts.users.create({
        email: 'efface@a.fr',
        name: 'Efface',
        orgId: 'org-a',
        role: 'agent',
      });
      const { record } = await createApiKey({ store, orgId: 'org-a', role: 'agent', userId: u.id });
      await store.accounts.quotas.set('key', record.id, {
        requestsPerMinute: 1,
        requestsPerDay: null,
        tokensPerMinute: null,
        tokensPerDay: null,
        monthlyCredits: null,
      });
      await store.accounts.counters.consume(
        [{ key: `key:${record.id}:requests:minute:1`, limit: null, cost: 1, resetAt: Date.now() + 60_000 }],
        Date.now(),
      );
      await store.accounts.sessions.create({
        idHash: 'sess',
        userId: u.id,
        keyId: null,
        orgId: 'org-a',
        createdAt: '2025-01-01T00:00:00.000Z',
        expiresAt: '2099-01-01T00:00:00.000Z',
      });
      const c = await store.conversations.create({ orgId: 'org-a', userId: u.id });
      const m = await store.conversations.addMessage({
        conversationId: c.id,
        role: 'user',
        content: 'Mon NIR est…',
      });
      await store.conversations.addFeedback({ messageId: m.id, orgId: 'org-a', userId: u.id, rating: -1 });
      await store.accounts.usage.record(
        usage({ at: '2025-03-01T00:00:00.000Z', userId: u.id, keyId: record.id }),
      );
      await store.audit.subjectOf(u.id);
      await store.training.createQuiz({
        orgId: 'org-a',
        userId: u.id,
        courseVersion: 'v1',
        questionIds: ['q'],
        expiresAt: '2099-01-01T00:00:00.000Z',
      });
      await store.training.record({
        orgId: 'org-a',
        userId: u.id,
        courseVersion: 'v1',
        correct: 1,
        total: 1,
        score: 1,
        passed: true,
      });
      const exported = await store.personalData.collect(u.id);
      expect(exported.user).toMatchObject({ email: 'efface@a.fr' });
      expect(exported.apiKeys).toHaveLength(1);
      expect(exported.apiKeys[0]).not.toHaveProperty('hash');
      expect(exported.sessions).toHaveLength(1);
      expect(exported.sessions[0]).not.toHaveProperty('id_hash');
      expect(exported.conversations[0].messages).toHaveLength(1);
      expect(exported.feedback).toHaveLength(1);
      expect(exported.usage).toHaveLength(1);
      expect(exported.training).toMatchObject([{ course_version: 'v1', correct: 1 }]);
      expect(exported.auditSubject).toMatch(/^sub_/);

      const counts = await store.personalData.erase(u.id);
      expect(counts).toEqual({
        users: 1,
        apiKeys: 1,
        sessions: 1,
        conversations: 1,
        messages: 1,
        feedback: 1,
        usageAnonymised: 1,
        auditSubjects: 1,
      });
      const after = await store.personalData.collect(u.id);
      expect(after).toEqual({
        user: null,
        apiKeys: [],
        sessions: [],
        conversations: [],
        feedback: [],
        usage: [],
        training: [],
        auditSubject: null,
      });
      expect(await store.training.completions({ orgId: 'org-a', userId: u.id })).toEqual([]);
      expect(await store.accounts.users.getByEmail('efface@a.fr')).toBeNull();
      expect(await store.accounts.keys.get(record.id)).toBeNull();
      expect(await store.accounts.quotas.get('key', record.id)).toBeNull();
      const [left] = await store.accounts.usage.list({ orgId: 'org-a' });
      expect([left.userId, left.keyId, left.promptTokens]).toEqual([null, null, 10]);
      expect(await store.personalData.erase(u.id)).toMatchObject({ users: 0 });
    });

    it('purges old conversations and usage', async () => {
      const c = await store.conversations.create({ orgId: 'org-a', userId: null });
      const m = await store.conversations.addMessage({ conversationId: c.id, role: 'user', content: 'x' });
      await store.conversations.addFeedback({ messageId: m.id, orgId: 'org-a', userId: null, rating: 1 });
      await store.accounts.usage.record(usage({ at: '2000-01-01T00:00:00.000Z' }));
      await store.accounts.usage.record(usage({ at: '2999-01-01T00:00:00.000Z' }));
      expect(await store.personalData.purgeConversations('2999-01-01T00:00:00.000Z')).toEqual({
        conversations: 1,
        messages: 1,
        feedback: 1,
      });
      expect(await store.personalData.purgeUsage('2025-01-01T00:00:00.000Z')).toBe(1);
    });
  });
}
