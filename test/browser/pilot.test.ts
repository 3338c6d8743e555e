/**
 * The admin console's "Pilote" dashboard in a real Chromium against the real app on loopback: a
 * scripted week of questions, answers (refused or citing fresh and stale sources) and feedback is
 * written through the store for two services, then the figures the page shows are compared with
 * figures computed here straight from the store's tables (SQL and JSON, not the report's code);
 * then the service filter, the CSV download and the comparison of two periods.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { isolatedContext, launchChromium, skipWithoutChromium, signInWithKey } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import { createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';
import { ROOT } from '../helpers/cli.js';

const skip = skipWithoutChromium('suite du tableau de bord du pilote');

const ARTIFACTS = join(ROOT, 'test-artifacts');
const WEEK = { from: '2026-11-16', to: '2026-11-22', label: 'Semaine 47 (du 16/11/2026)', iso: '2026-W47' };
const PREVIOUS = { from: '2026-11-09', to: '2026-11-15' };
const EMAIL = 'camille.martin@example.fr';

const monthsAgo = (n: number) => {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.toISOString().slice(0, 10);
};
const SOURCES = [
  { id: 'F1', title: 'Carte d’identité', url: 'https://www.service-public.gouv.fr/F1', date: monthsAgo(2) },
  { id: 'F2', title: 'Recours gracieux', url: 'https://www.service-public.gouv.fr/F2', date: '2019-03-01' },
  { id: 'F3', title: 'Acte de naissance', url: 'https://www.service-public.gouv.fr/F3', date: '2020-07-15' },
];
const QUESTIONS = [
  'Comment refaire une carte d’identité ?',
  'Quel délai pour un recours gracieux ?',
  'Comment obtenir un acte de naissance ?',
  'Horaires de la piscine municipale ?',
  `Le dossier de ${EMAIL} est-il complet ?`,
];
const TAGS = ['erreur', 'incomplet', 'manque de sources', 'trop long'];

let app: RunningApp;
let browser: Browser;
let page: Page;
let admin: string;
let juridique: string;

/** Writes a deterministic week: each day, a few exchanges in each service, some refused, some rated. */
async function scriptWeek(
  start: string,
  exchanges: number,
  seed: number,
  services: string[],
  users: string[],
) {
  const store = app.services.store;
  const db = (store as unknown as SqliteStore).db;
  let n = seed;
  const next = () => (n = (n * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < exchanges; i++) {
    const who = i % users.length;
    const conv = await store.conversations.create({
      orgId: DEFAULT_ORG_ID,
      userId: users[who],
      serviceId: services[who],
    });
    const q = QUESTIONS[Math.floor(next() * QUESTIONS.length)];
    const refused = q.startsWith('Horaires') || q.includes(EMAIL) || next() < 0.1;
    const cited = refused ? [] : SOURCES.filter(() => next() < 0.6);
    const question = await store.conversations.addMessage({
      conversationId: conv.id,
      role: 'user',
      content: q,
    });
    const answer = await store.conversations.addMessage({
      conversationId: conv.id,
      role: 'assistant',
      content: refused ? 'Je n’ai pas trouvé de source officielle.' : 'Réponse [1].',
      citations: cited.map((s, k) => ({ ...s, index: k + 1, cited: true, local: false })),
      noSource: refused,
    });
    const r = next();
    if (r < 0.5)
      await store.conversations.addFeedback({
        messageId: answer.id,
        orgId: DEFAULT_ORG_ID,
        userId: users[who],
        rating: r < 0.3 ? -1 : 1,
        tags: r < 0.3 ? TAGS.filter(() => next() < 0.5) : ['clair'],
      });
    const at = new Date(Date.parse(`${start}T08:00:00Z`) + (i % 7) * 86400_000 + i * 60_000).toISOString();
    db.prepare('UPDATE messages SET created_at = ? WHERE id IN (?, ?)').run(at, question.id, answer.id);
  }
}

/** The week's figures, computed from the tables themselves. */
function expected(from: string, to: string, serviceId?: string) {
  const db = (app.services.store as unknown as SqliteStore).db;
  const range = [`${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`];
  const svc = serviceId ? 'AND c.service_id = ?' : '';
  const args = serviceId ? [...range, serviceId] : range;
  const messages = db
    .prepare(
      `SELECT m.id, m.role, m.content, m.no_source, m.citations FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE c.org_id = 'default' AND m.created_at BETWEEN ? AND ? ${svc}`,
    )
    .all(...args) as { id: string; role: string; content: string; no_source: number; citations: string }[];
  const feedback = db
    .prepare(
      `SELECT f.rating, f.tags FROM feedback f JOIN messages m ON m.id = f.message_id
       JOIN conversations c ON c.id = m.conversation_id
       WHERE c.org_id = 'default' AND m.created_at BETWEEN ? AND ? ${svc}`,
    )
    .all(...args) as { rating: number; tags: string }[];
  const answers = messages.filter((m) => m.role === 'assistant');
  const cutoff = monthsAgo(12);
  const citations = answers.flatMap((a) => JSON.parse(a.citations) as { url: string; date: string }[]);
  const tags = new Map<string, number>();
  for (const f of feedback.filter((x) => x.rating < 0))
    for (const t of JSON.parse(f.tags) as string[]) tags.set(t, (tags.get(t) ?? 0) + 1);
  const bySource = new Map<string, number>();
  for (const c of citations) bySource.set(c.url, (bySource.get(c.url) ?? 0) + 1);
  const questions = messages.filter((m) => m.role === 'user').length;
  const refused = answers.filter((a) => a.no_source === 1).length;
  const negative = feedback.filter((f) => f.rating < 0).length;
  return {
    questions,
    refused,
    refusedShare: refused / questions,
    negative,
    negativeShare: negative / answers.length,
    stale: citations.filter((c) => c.date < cutoff).length,
    tags,
    top: Math.max(...bySource.values()),
    topUrls: [...bySource].filter(([, n]) => n === Math.max(...bySource.values())).map(([u]) => u),
  };
}

const num = (text: string) =>
  Number(
    text
      .replace(/\s| |%/g, '')
      .replace(',', '.')
      .replace('−', '-'),
  );
const round1 = (x: number) => Math.round(x * 1000) / 10;

async function weekRow(p: Page, label: string): Promise<string[]> {
  const row = p.locator('#pilot-weeks tbody tr', { hasText: label });
  await row.waitFor();
  return row.locator('td').allTextContents();
}

async function show(p: Page, from: string, to: string, service = '') {
  await p.fill('#pilot-from', from);
  await p.fill('#pilot-to', to);
  await p.selectOption('#pilot-service', service);
  await p.click('#pilot-form button[type="submit"]');
  await p.waitForSelector(`#pilot-totals:has-text("Du ${from.split('-').reverse().join('/')}")`);
}

describe.skipIf(skip)('pilot dashboard in Chromium', () => {
  beforeAll(async () => {
    app = await startTestApp();
    const store = app.services.store;
    admin = await createTestKey(store, { role: 'admin', name: 'pilote' });
    const accueil = (await store.accounts.services.create({ orgId: DEFAULT_ORG_ID, name: 'Accueil' })).id;
    juridique = (await store.accounts.services.create({ orgId: DEFAULT_ORG_ID, name: 'Service juridique' }))
      .id;
    await store.accounts.services.setOrgPilot(DEFAULT_ORG_ID, PREVIOUS.from);
    const u = async (email: string, service: string) => {
      const user = await store.accounts.users.create({
        email,
        name: email,
        orgId: DEFAULT_ORG_ID,
        role: 'agent',
      });
      await store.accounts.users.setService(user.id, service);
      return user.id;
    };
    const users = [await u('agent1@mairie.fr', accueil), await u('agent2@mairie.fr', juridique)];
    await scriptWeek(WEEK.from, 40, 7, [accueil, juridique], users);
    await scriptWeek(PREVIOUS.from, 15, 11, [accueil, juridique], users);
    browser = await launchChromium();
    page = await (
      await isolatedContext(browser, { acceptDownloads: true, viewport: { width: 1280, height: 720 } })
    ).newPage();
    await signInWithKey(page, app.url, admin);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows the week’s figures as computed from the store, per service too', async () => {
    await page.goto(`${app.url}/#/admin/pilote`);
    await page.waitForSelector('#pilot-status');
    expect(await page.textContent('#pilot-status')).toContain('depuis le 09/11/2026');
    await show(page, WEEK.from, WEEK.to);
    const e = expected(WEEK.from, WEEK.to);
    expect(e.questions).toBe(40);
    expect(e.refused).toBeGreaterThan(0);
    expect(e.negative).toBeGreaterThan(0);
    expect(e.stale).toBeGreaterThan(0);
    const cells = await weekRow(page, WEEK.label);
    expect(num(cells[1])).toBe(e.questions);
    expect(num(cells[2])).toBe(e.refused);
    expect(num(cells[3])).toBe(round1(e.refusedShare));
    expect(num(cells[4])).toBe(e.negative);
    expect(num(cells[5])).toBe(round1(e.negativeShare));
    expect(num(cells[6])).toBe(e.stale);
    // Tags of the negative feedback, and the most cited source.
    const tags = await page
      .locator('#pilot-tags tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    expect(new Map(tags.map(([t, n]) => [t, num(n)]))).toEqual(e.tags);
    const top = page.locator('#pilot-sources tbody tr').first();
    expect(e.topUrls).toContain(await top.locator('a').getAttribute('href'));
    expect(num((await top.locator('td').nth(1).textContent()) ?? '')).toBe(e.top);
    // Refused questions are listed with personal data masked.
    const unanswered = await page.textContent('#pilot-unanswered');
    expect(unanswered).toContain('Horaires de la piscine municipale');
    expect(unanswered).not.toContain(EMAIL);
    expect(unanswered).toMatch(/\[[A-Z_]+_1\]/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, '30-admin-pilote.png'), fullPage: true });

    await show(page, WEEK.from, WEEK.to, juridique);
    const j = expected(WEEK.from, WEEK.to, juridique);
    expect(j.questions).toBe(20);
    const jc = await weekRow(page, WEEK.label);
    expect([num(jc[1]), num(jc[2]), num(jc[4]), num(jc[6])]).toEqual([
      j.questions,
      j.refused,
      j.negative,
      j.stale,
    ]);
  });

  it('lets the administrator add a service, attach a person, rename and delete it', async () => {
    const store = app.services.store;
    await page.goto(`${app.url}/#/admin/pilote`);
    await page.click('#services-panel summary');
    await page.fill('#service-name', 'État civil');
    await page.fill('#service-pilot', '2026-11-23');
    await page.click('#service-add button[type="submit"]');
    await page.waitForSelector('#services-panel td:has-text("État civil")');
    const created = (await store.accounts.services.list(DEFAULT_ORG_ID)).find(
      (s) => s.name === 'État civil',
    )!;
    expect(created.pilotSince).toBe('2026-11-23');
    // A name already taken is refused in French, nothing is created.
    await page.fill('#service-name', 'accueil');
    await page.click('#service-add button[type="submit"]');
    await page.waitForSelector('#services-panel .fr-alert--error:has-text("existe déjà")');
    const agent = (await store.accounts.users.getByEmail('agent1@mairie.fr'))!;
    await page.selectOption('#service-person', agent.id);
    await page.selectOption('#service-target', created.id);
    await page.click('#service-attach button[type="submit"]');
    await page.waitForSelector('#pilot-service');
    await expect.poll(async () => (await store.accounts.users.get(agent.id))?.serviceId).toBe(created.id);
    await page.selectOption('#service-edit', created.id);
    expect(await page.inputValue('#service-edit-pilot')).toBe('2026-11-23');
    await page.fill('#service-edit-pilot', '');
    await page.fill('#service-rename', 'État civil et élections');
    await page.click('#service-change button[type="submit"]');
    await page.waitForSelector('#services-panel td:has-text("État civil et élections")');
    expect((await store.accounts.services.get(created.id))?.pilotSince).toBeNull();
    page.once('dialog', (d) => void d.accept());
    await page.click('button[aria-label="Supprimer le service État civil et élections"]');
    await expect.poll(async () => store.accounts.services.get(created.id)).toBeNull();
    expect((await store.accounts.users.get(agent.id))?.serviceId).toBeNull();
  });

  it('downloads the CSV and compares two periods', async () => {
    await show(page, WEEK.from, WEEK.to);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#pilot-csv')]);
    expect(download.suggestedFilename()).toBe(`pilote-${WEEK.from}-${WEEK.to}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    const e = expected(WEEK.from, WEEK.to);
    const line = csv
      .split('\r\n')
      .find((l) => l.startsWith(WEEK.iso))!
      .split(';');
    expect([Number(line[2]), Number(line[4]), Number(line[6]), Number(line[10])]).toEqual([
      e.questions,
      e.refused,
      e.negative,
      e.stale,
    ]);

    const before = expected(PREVIOUS.from, PREVIOUS.to);
    await page.fill('#cmp-a-from', PREVIOUS.from);
    await page.fill('#cmp-a-to', PREVIOUS.to);
    await page.fill('#cmp-b-from', WEEK.from);
    await page.fill('#cmp-b-to', WEEK.to);
    await page.click('#pilot-compare-form button[type="submit"]');
    const row = page.locator('#pilot-compare tbody tr', { hasText: 'Questions' }).first();
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect([num(cells[1]), num(cells[2]), num(cells[3])]).toEqual([
      before.questions,
      e.questions,
      e.questions - before.questions,
    ]);
    const share = await page
      .locator('#pilot-compare tbody tr', { hasText: 'Part refusée' })
      .locator('td')
      .allTextContents();
    expect(num(share[3])).toBeCloseTo(round1(e.refusedShare) - round1(before.refusedShare), 0);
  });
});
