/**
 * The AI training in a real Chromium against a real `guichet serve` with `training.required: true`:
 * an untrained agent is sent to the course, reads it, fails to submit an incomplete quiz (errors
 * announced), passes it with the answers read from the bank file, then reaches the assistant; a
 * trained agent goes straight to the assistant; the admin sees who has done it and downloads the
 * CSV (rows checked) and the PDF.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  expectNoAxeViolation as axe,
  isolatedContext,
  launchChromium,
  skipWithoutChromium,
} from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { BUILTIN_COURSE_DIR, readCourse } from '../../src/training/course.js';
import { ROOT } from '../helpers/cli.js';
import { copyCorpus } from '../helpers/corpus.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const skip = skipWithoutChromium('suite de la formation');

interface BankQuestion {
  id: string;
  choices: string[];
  answer: number;
}
/** The answers, read from the bank file as an authority would write it. */
const BANK = new Map(
  (
    parseYaml(readFileSync(join(BUILTIN_COURSE_DIR, 'quiz.yaml'), 'utf8')) as { questions: BankQuestion[] }
  ).questions.map((q) => [q.id, q]),
);
const COURSE = readCourse(BUILTIN_COURSE_DIR);
const ARTIFACTS = join(ROOT, 'test-artifacts');

let server: RunningServer;
let browser: Browser;
let page: Page;
let dataDir: string;
const keys: Record<'untrained' | 'trained' | 'admin', string> = { untrained: '', trained: '', admin: '' };

/** Signs in with a key (the session cookie), and waits for the first screen after it. */
async function signIn(p: Page, key: string): Promise<void> {
  await p.context().clearCookies();
  await p.goto(`${server.url}/#/connexion`);
  await p.reload();
  await p.waitForLoadState('networkidle');
  await p.fill('#api-key', key);
  await p.press('#api-key', 'Enter');
  await p.waitForSelector('#question, #formation-etape');
}

describe.skipIf(skip)('AI training in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = await copyCorpus();
    const store = openSqliteStore(dataDir);
    const org = 'default';
    if (!(await store.accounts.orgs.get(org)))
      await store.accounts.orgs.create({ id: org, name: 'Mairie de Test' });
    const person = async (name: string, email: string, role: 'agent' | 'admin') => {
      const user = await store.accounts.users.create({ email, name, orgId: org, role });
      return { user, key: (await createApiKey({ store, orgId: org, role, name, userId: user.id })).key };
    };
    const untrained = await person('Agnès Nouvelle', 'agnes@mairie.fr', 'agent');
    const trained = await person('Bruno Formé', 'bruno@mairie.fr', 'agent');
    const admin = await person('Adèle Admin', 'adele@mairie.fr', 'admin');
    await store.training.record({
      orgId: org,
      userId: trained.user.id,
      courseVersion: COURSE.version,
      correct: 9,
      total: 10,
      score: 0.9,
      passed: true,
      completedAt: '2026-11-30T09:00:00.000Z',
    });
    await store.close();
    keys.untrained = untrained.key;
    keys.trained = trained.key;
    keys.admin = admin.key;
    const config = join(dataDir, 'formation.yaml');
    writeFileSync(config, 'training:\n  required: true\n  questions: 10\n  pass_mark: 0.8\n');
    server = await startServer({ GUICHET_DATA_DIR: dataDir, GUICHET_CONFIG: config });
    browser = await launchChromium();
    const context = await isolatedContext(browser, {
      viewport: { width: 1366, height: 900 },
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('an untrained agent is sent to the course, reads it, passes the quiz and then reaches the assistant', async () => {
    await signIn(page, keys.untrained);
    // Asked for the assistant, sent to the course.
    await page.waitForSelector('#formation-etape');
    expect(new URL(page.url()).hash).toBe('#/formation');
    expect(await page.locator('main h1').textContent()).toBe('Formation à l’IA');
    expect(await page.locator('main').textContent()).toContain('Formation obligatoire');
    expect(await page.locator('#formation-progression').textContent()).toBe(
      `1 chapitre(s) lu(s) sur ${COURSE.chapters.length}`,
    );
    await axe(page, 'formation, chapitre 1');
    // Tablet and phone: the same page, no violation either (the side menu stacks above the text).
    for (const [width, height] of [
      [768, 1024],
      [390, 844],
    ]) {
      await page.setViewportSize({ width, height });
      await axe(page, `formation, chapitre 1, ${width}×${height}`);
      await page.screenshot({ path: join(ARTIFACTS, `formation-${width}x${height}.png`) });
    }
    await page.setViewportSize({ width: 1366, height: 900 });
    // The questions route refuses this session too (not only the UI's redirect).
    const refused = await page.evaluate(async () => {
      // As the UI does: the session's CSRF token, from /v1/me, on a state-changing request.
      const me = (await (await fetch('/v1/me')).json()) as { csrf_token: string };
      const r = await fetch('/v1/conversations/new/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
        body: JSON.stringify({ content: 'carte grise' }),
      });
      return { status: r.status, code: ((await r.json()) as { error: { code: string } }).error.code };
    });
    expect(refused).toEqual({ status: 403, code: 'training_required' });

    // Every chapter, in order, with the stepper telling where the person is.
    for (let i = 0; i < COURSE.chapters.length; i++) {
      await page.waitForFunction(
        (t) => document.getElementById('formation-titre')?.textContent?.startsWith(t),
        COURSE.chapters[i].title,
      );
      expect(await page.locator('.fr-stepper__state').textContent()).toBe(
        `Étape ${i + 1} sur ${COURSE.chapters.length + 1}`,
      );
      await page.click(i + 1 < COURSE.chapters.length ? 'text=Chapitre suivant' : 'text=Passer au quiz');
    }
    await page.waitForSelector('#quiz-start');
    expect(await page.locator('#formation-progression').textContent()).toBe(
      `${COURSE.chapters.length} chapitre(s) lu(s) sur ${COURSE.chapters.length}`,
    );
    await page.click('#quiz-start');
    await page.waitForSelector('#quiz fieldset');
    const fieldsets = page.locator('#quiz fieldset');
    expect(await fieldsets.count()).toBe(10);
    expect(await fieldsets.first().locator('legend').textContent()).toMatch(/^Question 1 sur 10 : /);
    await axe(page, 'quiz');
    await page.screenshot({ path: join(ARTIFACTS, 'formation-quiz.png') });

    // Sent empty: the errors are announced and the focus goes to their summary.
    await page.click('text=Envoyer mes réponses');
    await page.waitForSelector('#quiz-erreurs .fr-alert--error');
    expect(await page.locator('#quiz-erreurs').textContent()).toContain('10 questions sont sans réponse');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('quiz-erreurs');
    expect(await page.locator('.fr-fieldset--error').count()).toBe(10);
    expect(await page.locator('.fr-message--error').first().textContent()).toBe('Choisissez une réponse.');

    // The right answers, read from the bank file, chosen with the keyboard-reachable radios' labels.
    for (let i = 0; i < 10; i++) {
      const set = fieldsets.nth(i);
      const name = await set.locator('input[type=radio]').first().getAttribute('name');
      const q = BANK.get(name!.slice(2))!;
      await set.locator('label', { hasText: q.choices[q.answer] }).first().click();
    }
    await page.click('text=Envoyer mes réponses');
    await page.waitForSelector('#quiz-resultat');
    expect(await page.locator('#quiz-resultat').textContent()).toBe(
      'Résultat : 10 bonne(s) réponse(s) sur 10 (100 %)',
    );
    expect(await page.locator('main').textContent()).toContain('Formation validée');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('quiz-resultat');
    // The notice under the title follows the new status.
    await page.waitForFunction(
      () => !document.getElementById('formation-statut')?.textContent?.includes('obligatoire'),
    );
    await axe(page, 'résultat du quiz');
    await page.screenshot({ path: join(ARTIFACTS, 'formation-resultat.png'), fullPage: true });

    await page.click('text=Aller à l’assistant');
    await page.waitForSelector('#question');
    expect(new URL(page.url()).hash).toBe('#/assistant');
  }, 180_000);

  it('a trained agent goes straight to the assistant', async () => {
    await signIn(page, keys.trained);
    await page.waitForSelector('#question');
    expect(new URL(page.url()).hash).toBe('#/assistant');
    // A new course version published while the page is open: the question route answers
    // training_required (as tested on the server in test/training); the page sends the person to
    // the course instead of showing an error, the question kept for their return.
    const route = '**/v1/conversations/*/messages';
    await page.route(route, (r) =>
      r.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            message: 'Formation requise.',
            type: 'permission_error',
            param: null,
            code: 'training_required',
          },
        }),
      }),
    );
    await page.fill('#question', 'Comment refaire une carte grise ?');
    await page.press('#question', 'Enter');
    await page.waitForSelector('#formation-etape');
    await page.unroute(route);
    expect(new URL(page.url()).hash).toMatch(/^#\/formation/);
    expect(await page.evaluate(() => sessionStorage.getItem('guichet.draft'))).toBe(
      'Comment refaire une carte grise ?',
    );
    // The course stays open to read again, with the success shown.
    await page.click('nav#navigation >> text=Formation à l’IA');
    await page.waitForSelector('#formation-etape');
    expect(await page.locator('main').textContent()).toContain('Formation validée');
  }, 120_000);

  it('the admin sees who has done it and downloads the CSV and the PDF', async () => {
    await signIn(page, keys.admin);
    await page.goto(`${server.url}/#/admin/formation`);
    await page.waitForSelector('#formation-export-csv');
    // The export buttons show their label (not an icon alone).
    expect(await page.locator('#formation-export-csv').innerText()).toBe('Exporter en CSV');
    expect((await page.locator('#formation-export-pdf').boundingBox())!.width).toBeGreaterThan(100);
    const rows = await page.locator('main table tbody tr').allTextContents();
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.includes('agnes@mairie.fr'))).toContain('À jour');
    expect(rows.find((r) => r.includes('bruno@mairie.fr'))).toContain('À jour');
    expect(rows.find((r) => r.includes('adele@mairie.fr'))).toContain('Jamais suivie');
    await axe(page, 'administration, formation');
    await page.screenshot({ path: join(ARTIFACTS, 'formation-admin.png'), fullPage: true });

    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#formation-export-csv'),
    ]);
    expect(csvDownload.suggestedFilename()).toMatch(/^formation-ia-default-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await csvDownload.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Personne;Adresse électronique;Rôle;Statut;Réussite le;Score;Version réussie;Tentatives;Dernière tentative',
    );
    const today = new Date().toISOString().slice(0, 10);
    expect(lines.slice(1).sort()).toEqual(
      [
        'Adèle Admin;adele@mairie.fr;admin;Jamais suivie;;;;0;',
        `Agnès Nouvelle;agnes@mairie.fr;agent;À jour;${today};100 %;${COURSE.version};1;${today}`,
        `Bruno Formé;bruno@mairie.fr;agent;À jour;2026-11-30;90 %;${COURSE.version};1;2026-11-30`,
      ].sort(),
    );
    const [pdfDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#formation-export-pdf'),
    ]);
    expect(pdfDownload.suggestedFilename()).toMatch(/\.pdf$/);
    expect(
      readFileSync((await pdfDownload.path())!)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  }, 120_000);
});
