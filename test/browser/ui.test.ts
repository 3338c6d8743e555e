/**
 * The web UI in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a
 * real `guichet serve` on loopback with the whole national corpus and the `extractive` provider.
 * One browser, one server, pages reused: the machine is shared.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  expectNoAxeViolation,
  isolatedContext,
  launchChromium,
  skipWithoutChromium,
} from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKey } from '../helpers/accounts.js';
import { ROOT } from '../helpers/cli.js';
import { copyCorpus } from '../helpers/corpus.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { writeBenchSection } from './bench-file.js';
import { writeFileSync } from 'node:fs';
import { chunk, sendSse, startUpstream, type FakeUpstream } from '../../src/models/testing/fake-upstream.js';

const skip = skipWithoutChromium('suite de l’interface');

const ARTIFACTS = join(ROOT, 'test-artifacts');
const LOCAL_DOCS = join(ROOT, 'eval', 'local', 'dev', 'saint-aubin-des-landes-vertes');
const NIR = '1 85 05 78 006 084 91';

let server: RunningServer;
/** A second `guichet serve` on the same data, whose `guichet` model is a scripted upstream. */
let scripted: RunningServer;
let upstream: FakeUpstream;
let browser: Browser;
let page: Page;
let key: string;
/** The instance's operator (superadmin): changes the retention durations. */
let operator: string;
let dataDir: string;

const axe = expectNoAxeViolation;

const shot = (p: Page, name: string) =>
  p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

const SIZES = [
  [1366, 768],
  [768, 1024],
  [390, 844],
] as const;

/** Screenshot (viewport only: what the person sees) at the page's current size. */
const sizedShot = (p: Page, name: string) => {
  const v = p.viewportSize()!;
  return p.screenshot({ path: join(ARTIFACTS, 'tailles', `${name}-${v.width}x${v.height}.png`) });
};

/** Runs `check` at each of the three sizes (laptop, tablet, phone), back to 1366×768 at the end. */
async function atEachSize(p: Page, check: (w: number, h: number) => Promise<void>): Promise<void> {
  for (const [w, h] of SIZES) {
    await p.setViewportSize({ width: w, height: h });
    await check(w, h);
  }
  await p.setViewportSize({ width: 1366, height: 768 });
}

/** Markdown streamed by the scripted upstream, a few characters at a time. */
const MARKDOWN = [
  '### Démarches\n\n',
  'Voici les étapes, *dans l’ordre* :\n\n',
  '1. Rassembler les **pièces justificatives** [1]\n',
  '2. Déposer la demande en ligne\n',
  '3. Suivre le dossier\n\n',
  '| Pièce | Délai |\n',
  '| --- | --- |\n',
  '| Justificatif de domicile | 3 mois |\n',
  '| Photo d’identité | 6 mois |\n\n',
  'Voir [le site officiel](https://www.service-public.fr) et le formulaire `cerfa 12100`.',
];
const XSS_ANSWER = [
  'Réponse piégée <img src=x onerror="window.__xss=1"> ',
  '<script>window.__xss=2</script> ',
  '[cliquez](javascript:window.__xss=3) fin.',
];

async function signIn(p: Page, k: string, base = server.url) {
  // Signed out first: the session lives in a cookie (the sign-in page sends a signed-in browser on).
  await p.context().clearCookies();
  await p.goto(`${base}/#/connexion`);
  await p.reload();
  // The first route and the 401 of its /v1/me may both draw the form: fill the one that stays.
  await p.waitForLoadState('networkidle');
  await p.fill('#api-key', k);
  await p.press('#api-key', 'Enter');
  await p.waitForSelector('#question');
}

/** Types a question, presses Enter, returns ms from Enter to the first answer text painted. */
async function askTimed(p: Page, question: string): Promise<number> {
  await p.fill('#question', question);
  await p.evaluate(() => {
    const w = window as unknown as { __t: { enter?: number; first?: number } };
    w.__t = {};
    const answers = () => document.querySelectorAll('.gc-msg--assistant').length;
    const before = answers();
    document.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'Enter') w.__t.enter ??= performance.now();
      },
      { capture: true, once: true },
    );
    const obs = new MutationObserver(() => {
      const all = document.querySelectorAll('.gc-msg--assistant .gc-answer-text');
      const last = all[all.length - 1];
      if (answers() > before && last && last.textContent && w.__t.first === undefined) {
        w.__t.first = -1;
        requestAnimationFrame(() => {
          w.__t.first = performance.now();
        });
        obs.disconnect();
      }
    });
    obs.observe(document.querySelector('.gc-thread')!, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  await p.press('#question', 'Enter');
  await p.waitForFunction(
    () => ((window as unknown as { __t: { first?: number } }).__t.first ?? -1) > 0,
    null,
    { timeout: 30_000 },
  );
  await p.waitForSelector('.gc-thread[aria-busy="false"]');
  return p.evaluate(() => {
    const t = (window as unknown as { __t: { enter: number; first: number } }).__t;
    return t.first - t.enter;
  });
}

describe.skipIf(skip)('web UI in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(join(ARTIFACTS, 'tailles'), { recursive: true });
    dataDir = await copyCorpus();
    const store = openSqliteStore(dataDir);
    key = await createTestKey(store, { orgId: 'default', role: 'admin', name: 'navigateur' });
    operator = await createTestKey(store, { orgId: 'default', role: 'superadmin', name: 'exploitant' });
    await store.close();
    let longs = 0; // the first long answer is long (to stop it), a regenerated one is short
    upstream = await startUpstream(async (req, res) => {
      const last = String(req.body?.messages?.at(-1)?.content ?? '');
      if (/tableau/.test(last))
        return sendSse(res, [...MARKDOWN.map((t) => chunk(t)), chunk(null, 'stop'), '[DONE]'], 150);
      if (/piégée/.test(last))
        return sendSse(res, [...XSS_ANSWER.map((t) => chunk(t)), chunk(null, 'stop'), '[DONE]']);
      if (/longue/.test(last) && longs++ === 0)
        return sendSse(
          res,
          [
            ...Array.from({ length: 400 }, (_, i) =>
              chunk(`Paragraphe ${i}, une phrase assez longue pour remplir l’écran.\n\n`),
            ),
            chunk(null, 'stop'),
            '[DONE]',
          ],
          25,
        );
      const n = upstream.requests.length;
      return sendSse(res, [chunk(`Réponse scriptée n° ${n} `), chunk('[1].'), chunk(null, 'stop'), '[DONE]']);
    });
    const config = join(dataDir, 'scripted.yaml');
    writeFileSync(
      config,
      [
        'providers:',
        '  - id: loopback',
        '    type: openai-compatible',
        `    base_url: ${upstream.baseUrl}`,
        '    models: [echo-chat]',
        '    local: true',
        'models:',
        '  - id: guichet',
        '    targets: [loopback:echo-chat]',
        '',
      ].join('\n'),
    );
    server = await startServer({ GUICHET_DATA_DIR: dataDir });
    scripted = await startServer({ GUICHET_DATA_DIR: dataDir, GUICHET_CONFIG: config });
    browser = await launchChromium();
    const context = await isolatedContext(browser);
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await scripted?.stop();
    await upstream?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in with an API key; the sign-in page has no serious axe violation', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#api-key');
    await axe(page, 'connexion');
    await shot(page, '01-connexion');
    await signIn(page, key);
    // Straight to the question box after sign-in (no Tab presses needed).
    await page.waitForFunction(() => document.activeElement?.id === 'question');
    expect(
      await page.evaluate(
        () => localStorage.length === 0 || !Object.values(localStorage).some((v) => v.startsWith('gch_')),
      ),
    ).toBe(true);
    // Signed in by an HttpOnly session cookie: the key itself is kept nowhere in the page.
    expect(await page.evaluate(() => sessionStorage.getItem('guichet.key'))).toBeNull();
    expect(await page.evaluate(() => document.cookie)).not.toMatch(/guichet_session/);
    await expect(page.locator('#first-visit').textContent()).resolves.toMatch(
      /intelligence artificielle.*jours/s,
    );
  });

  it('header: identity and sign-out reachable on tablet and phone through the DSFR menu button, no DSFR error', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const [w, h] of SIZES.slice(1)) {
      await page.setViewportSize({ width: w, height: h });
      await page.goto(`${server.url}/#/assistant`);
      await page.reload();
      await page.waitForSelector('#question');
      expect(await page.isVisible('#button-menu'), `menu button at ${w}`).toBe(true);
      expect(await page.isVisible('#tools [data-action="signout"]')).toBe(false); // desktop tools hidden
      await sizedShot(page, '10-en-tete');
      await page.click('#button-menu');
      await page.waitForSelector('#modal-menu.fr-modal--opened');
      expect(await page.textContent('#modal-menu .gc-identity')).toMatch(/navigateur/);
      expect(await page.isVisible('#modal-menu [data-action="signout"]')).toBe(true);
      await sizedShot(page, '11-menu-mobile');
      await axe(page, `menu mobile ${w}`);
      await page.click('#modal-menu [data-action="signout"]');
      await page.waitForSelector('#api-key');
      expect(await page.evaluate(() => sessionStorage.getItem('guichet.key'))).toBeNull();
      await signIn(page, key);
    }
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.reload();
    await page.waitForSelector('#question');
    expect(await page.isVisible('#tools [data-action="signout"]')).toBe(true);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('footer, skip links and display settings follow the DSFR', async () => {
    const footer = (await page.textContent('footer'))!;
    for (const t of [
      'Accessibilité : non conforme',
      'Mentions légales',
      'Données personnelles',
      'Gestion des cookies',
      'info.gouv.fr',
      'service-public.fr',
      'legifrance.gouv.fr',
      'data.gouv.fr',
      'Paramètres d’affichage',
    ])
      expect(footer).toContain(t);
    const skips = await page.$$eval('.fr-skiplinks a', (as) => as.map((a) => a.textContent?.trim()));
    expect(skips).toEqual(['Contenu', 'Menu', 'Pied de page']);
    await page.focus('.fr-skiplinks a[data-skip="footer"]');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('footer');
    expect(page.url()).toMatch(/#\/assistant$/); // the screen did not change
    await page.click('#display-settings');
    await page.waitForSelector('#fr-theme-modal[open]');
    await page.check('#fr-radios-theme-dark', { force: true });
    await page.waitForFunction(() => document.documentElement.getAttribute('data-fr-theme') === 'dark');
    await shot(page, '12-theme-sombre');
    await page.check('#fr-radios-theme-light', { force: true });
    await page.waitForFunction(() => document.documentElement.getAttribute('data-fr-theme') === 'light');
    await page.click('#fr-theme-modal .fr-btn--close');
    await page.waitForSelector('#fr-theme-modal', { state: 'hidden' });
    await page.waitForTimeout(400); // the DSFR modal's closing transition
    for (const [hash, title] of [
      ['#/accessibilite', 'Déclaration d’accessibilité'],
      ['#/mentions-legales', 'Mentions légales'],
      ['#/donnees-personnelles', 'Données personnelles'],
      ['#/cookies', 'Gestion des cookies'],
    ]) {
      await page.goto(`${server.url}/${hash}`);
      await page.waitForSelector(`h1:has-text("${title}")`);
      await atEachSize(page, async (w) => axe(page, `${hash} ${w}`));
    }
    await page.goto(`${server.url}/#/assistant`);
    await page.waitForSelector('#question');
  });

  it('shows the personal-data notice when a NIR is typed', async () => {
    await page.fill('#question', `Mon usager, NIR ${NIR}, demande où en est son dossier`);
    await page.waitForSelector('#pii-alert');
    expect(await page.textContent('#pii-alert')).toMatch(/NIR.*pseudonymisées/);
    await shot(page, '02-donnees-personnelles');
    await page.fill('#question', '');
    expect(await page.locator('#pii-alert').count()).toBe(0);
  });

  let ttft: number[] = [];
  it('streams an answer to a dev question with a service-public.fr source, under 300 ms to the first token', async () => {
    await page.click('#first-visit button');
    ttft.push(await askTimed(page, 'cheque energie pas reçu cette annee'));
    await page.waitForSelector('.gc-sources a[href*="service-public.gouv.fr"]');
    expect(await page.locator('.gc-msg--assistant .gc-cite').count()).toBeGreaterThan(0);
    await page.locator('.gc-msg--assistant .gc-cite').first().click();
    expect(await page.evaluate(() => document.activeElement?.id)).toMatch(/^src-/);
    // Outdated national sources carry a badge; each source is numbered once ("[1]", not "1. [1]").
    expect(await page.locator('.gc-sources .gc-stale').first().textContent()).toMatch(
      /^source de 20\d\d : vérifiez sur service-public\.fr$/,
    );
    expect(await page.locator('.gc-sources ol').count()).toBe(0);
    const firstSource = (await page.locator('.gc-sources li').first().textContent())!;
    expect(firstSource.match(/\[\d+\]/g)).toHaveLength(1);
    // An extractive answer is not labelled "IA".
    const kind = (await page.locator('.gc-msg--assistant .gc-kind').first().textContent())!;
    const body = (await page.locator('.gc-msg--assistant .gc-answer-text').first().textContent())!;
    if (/non rédigée par une IA générative/.test(body)) expect(kind).toBe('Extraits des sources');
    await axe(page, 'assistant');
    await shot(page, '03-assistant-reponse');
    // A follow-up in the same conversation, then two fresh conversations, for the timing.
    ttft.push(await askTimed(page, 'Et si je ne reçois toujours rien le mois prochain ?'));
    expect(await page.locator('.gc-msg--assistant').count()).toBe(2);
    for (const q of [
      'Comment renouveler une carte nationale d’identité ?',
      'Quelles aides pour payer mon loyer ?',
      'Comment déclarer une naissance ?',
      'Je suis au smic en temps partiel, ai-je droit à la prime d’activité ?',
    ]) {
      await page.goto(`${server.url}/#/assistant`);
      await page.waitForSelector('#question');
      ttft.push(await askTimed(page, q));
    }
    ttft = ttft.map((t) => Math.round(t));
    const sorted = [...ttft].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`[browser] first token on screen after Enter (ms): ${ttft.join(', ')} — median ${median}`);
    // Written by `npm run bench -- ui` only: a plain `npm test` leaves the tracked files as they are.
    if (process.env.GUICHET_WRITE_BENCHMARKS === '1')
      writeBenchSection(
        join(ROOT, 'BENCHMARKS.md'),
        'Interface — premier jeton',
        [
          'Temps entre l’appui sur Entrée dans le champ de question et le premier texte de la réponse peint à l’écran',
          '(`requestAnimationFrame` après la mutation du DOM), mesuré dans Chromium (Debian, sans interface) par',
          '`test/browser/ui.test.ts`, contre un vrai `guichet serve` sur la boucle locale avec tout le corpus national et le',
          'fournisseur `extractive` (création de la conversation, recherche, premier bloc SSE compris). Objectif : ≤ 300 ms.',
          '',
          '| Mesure | Valeur |',
          '| --- | --- |',
          `| Essais (ms) | ${ttft.join(', ')} |`,
          `| Médiane | ${median} ms |`,
          `| Maximum | ${sorted.at(-1)} ms |`,
          '',
          `Mesuré le ${new Date().toISOString().slice(0, 10)} sur cette machine (2 cœurs, partagée).`,
          '',
          'Commande : `npm run bench -- ui`.',
        ].join('\n'),
      );
    expect(median).toBeLessThanOrEqual(300);
  });

  it('records feedback on an answer and shows it in the admin view', async () => {
    await page.locator('.gc-msg--assistant button[title="Utile"]').last().click();
    // The thumb chosen looks pressed (state and style), the other one does not.
    expect(
      await page.locator('.gc-msg--assistant button[title="Utile"]').last().getAttribute('aria-pressed'),
    ).toBe('true');
    expect(
      await page.locator('.gc-msg--assistant button[title="Utile"]').last().getAttribute('class'),
    ).not.toMatch(/fr-btn--tertiary(\s|$)/);
    expect(
      await page.locator('.gc-msg--assistant button[title="Pas utile"]').last().getAttribute('aria-pressed'),
    ).toBe('false');
    await page.check('.gc-msg--assistant input[value="clair"] >> nth=-1', { force: true });
    await page.locator('.gc-msg--assistant textarea').last().fill('Réponse claire, merci (test navigateur)');
    await page.locator('.gc-msg--assistant button:has-text("Envoyer l’avis")').last().click();
    await page.waitForSelector('text=votre avis est enregistré');
    await page.goto(`${server.url}/#/admin/avis`);
    await page.waitForSelector('text=Réponse claire, merci (test navigateur)');
    // The question, the answer and its sources beside the feedback, with who gave it.
    const item = page.locator('.gc-feedback-item').first();
    expect(await item.textContent()).toMatch(/Question.*prime d’activité/s);
    expect(await item.textContent()).toMatch(/navigateur/);
    await item.locator('summary').click();
    expect(await item.locator('a[href*="service-public.gouv.fr"]').count()).toBeGreaterThan(0);
    expect(await item.locator('a[href^="#/assistant/conv_"]').count()).toBe(1);
    await page.selectOption('#feedback-rating', '-1');
    await page.waitForSelector('text=Aucun avis pour ces critères.');
    await page.selectOption('#feedback-rating', '1');
    await page.selectOption('#feedback-tag', 'clair');
    await page.waitForSelector('text=Réponse claire, merci (test navigateur)');
    await axe(page, 'admin avis');
    await shot(page, '04-admin-avis');
  });

  it('uploads local documents (one refused, with its error beside it) and answers citing them', async () => {
    await page.goto(`${server.url}/#/admin/documents`);
    await page.fill('input[name="collection-name"]', 'Mairie de Saint-Aubin');
    await page.click('button:has-text("Créer la collection")');
    await page.waitForSelector('#upload-input');
    await page.waitForSelector('text=Collection « Mairie de Saint-Aubin » créée');
    // The drop zone is on screen without scrolling.
    expect(
      await page.evaluate(
        () => document.getElementById('dropzone')!.getBoundingClientRect().top < window.innerHeight,
      ),
    ).toBe(true);
    await page.setInputFiles('#upload-input', [
      {
        name: 'horaires_mairie_et_annexes.md',
        mimeType: 'text/markdown',
        buffer: readFileSync(join(LOCAL_DOCS, 'horaires_mairie_et_annexes.md')),
      },
      {
        name: 'faux.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.7\nceci n’est pas un PDF'),
      },
    ]);
    await page.waitForSelector('#upload-results li.is-ok');
    await page.waitForSelector('#upload-results li.is-error .gc-file-error');
    expect(await page.textContent('#upload-results li[data-file="faux.pdf"]')).toMatch(/Refusé/);
    await page.waitForSelector('td:has-text("horaires_mairie_et_annexes.md")');
    // The collections table counts the new document at once.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-count]')].some((e) => e.textContent === '1'),
    );
    await axe(page, 'admin documents');
    await shot(page, '05-admin-documents');
    await page.goto(`${server.url}/#/assistant`);
    await page.waitForSelector('#question');
    await askTimed(
      page,
      'La mairie de Saint-Aubin-des-Landes-Vertes est-elle ouverte le jeudi soir, et pour quels services ?',
    );
    await page.waitForSelector('.gc-sources .fr-badge:has-text("Local")');
    expect(await page.textContent('.gc-sources')).toMatch(/Mairie de Saint-Aubin/);
    expect(await page.textContent('.gc-sources')).not.toMatch(/inconnue/);
    // A local source shows its upload date and opens.
    await page.waitForSelector('.gc-sources :text("Déposé le")');
    await page.locator('.gc-sources button:has-text("Ouvrir le document")').first().click();
    await page.waitForSelector('dialog.gc-doc-dialog[open] :text("déposé le")');
    expect(await page.textContent('dialog.gc-doc-dialog')).toMatch(/mairie/i);
    await axe(page, 'document local ouvert');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.gc-doc-dialog', { state: 'detached' });
  });

  it('creates a key shown once, then revokes it', async () => {
    await page.goto(`${server.url}/#/admin/comptes`);
    await page.fill('input[name="key-name"]', 'Portail citoyen');
    await page.click('button:has-text("Créer la clé")');
    const secret = (await page.textContent('#new-key'))!;
    expect(secret).toMatch(/^gch_/);
    await axe(page, 'admin comptes');
    await shot(page, '06-admin-cles');
    // On a tablet the "Révoquer" column is on screen.
    await page.setViewportSize({ width: 768, height: 1024 });
    const box = await page.locator('button[data-revoke="Portail citoyen"]').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(768);
    await page.setViewportSize({ width: 1366, height: 768 });
    page.once('dialog', (d) => d.accept());
    await page.click('button[data-revoke="Portail citoyen"]');
    await page.waitForSelector('tr:has-text("Portail citoyen") >> text=Révoquée');
    expect(await page.locator('#new-key').count()).toBe(0); // never shown again
    const r = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(r.status).toBe(401);
  });

  it('usage and privacy pages render without serious axe violations', async () => {
    await page.goto(`${server.url}/#/admin/usage`);
    await page.waitForSelector('#chart-days canvas[data-ready]');
    await page.waitForSelector('#chart-people canvas[data-ready]');
    // Names, not ids; French dates; navigation not counted; the total agrees with the bars.
    const people = (await page.getAttribute('#chart-people canvas', 'aria-label'))!;
    expect(people).toMatch(/clé « navigateur »/);
    expect(people).not.toMatch(/key_/);
    const daysLabel = (await page.getAttribute('#chart-days canvas', 'aria-label'))!;
    expect(daysLabel).toMatch(/\d{1,2} (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)/);
    const bars = [...daysLabel.matchAll(/ (\d+)(?:,|$)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect((await page.textContent('#usage-total'))!).toContain(`Total sur la période : ${bars} `);
    const usage = (await (
      await fetch(`${server.url}/v1/usage?limit=1000`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { data: { endpoint: string }[] };
    expect(usage.data.filter((r) => r.endpoint.startsWith('GET '))).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#usage-csv')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/Date;Personne ou clé;Action/);
    expect(csv).toMatch(/Question à l’assistant/);
    await axe(page, 'admin usage');
    await shot(page, '07-admin-consommation');
    await page.goto(`${server.url}/#/admin/confidentialite`);
    await page.waitForSelector('text=Journal d’audit');
    await page.waitForSelector('text=Conversations de l’assistant');
    await page.waitForSelector('text=Documents déposés');
    await page.click('text=Vérifier l’intégrité');
    await page.waitForSelector('text=Chaîne du journal intacte.');
    await axe(page, 'admin confidentialité');
    await shot(page, '08-admin-confidentialite');
  });

  it('refuses a too long question before sending', async () => {
    await page.goto(`${server.url}/#/assistant`);
    await page.waitForSelector('#question');
    await page.fill('#question', 'a'.repeat(4001));
    expect(await page.textContent('#question-count')).toMatch(/trop longue/);
    expect(await page.isDisabled('button[type="submit"]:has-text("Envoyer")')).toBe(true);
    await page.fill('#question', '');
  });

  it('says so and offers a retry when the stream drops midway', async () => {
    await page.route('**/v1/conversations/*/messages', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: 'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"guichet":{"message_id":"m1"}}\n\ndata: {"choices":[{"index":0,"delta":{"content":"Début de réponse"}}]}\n\n',
      }),
    );
    await page.fill('#question', 'Comment obtenir un acte de naissance ?');
    await page.press('#question', 'Enter');
    await page.waitForSelector('text=Connexion interrompue');
    expect(await page.textContent('.gc-msg--assistant')).toMatch(/incomplète/);
    await page.unroute('**/v1/conversations/*/messages');
    await page.click('button:has-text("Réessayer")');
    await page.waitForSelector('.gc-sources a[href*="service-public.gouv.fr"]');
    await shot(page, '09-flux-interrompu');
  });

  it('sends an expired session back to sign-in with the typed question kept', async () => {
    const store = openSqliteStore(dataDir);
    const short = await createTestKey(store, { role: 'agent', name: 'courte' });
    await store.close();
    await signIn(page, short);
    await page.fill('#question', 'Question tapée avant expiration');
    // Revoke the key the page is using (as an expired session would be refused).
    const keys = (await (
      await fetch(`${server.url}/v1/keys`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { data: { id: string; name: string }[] };
    const id = keys.data.find((k) => k.name === 'courte')!.id;
    await fetch(`${server.url}/v1/keys/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${key}` },
    });
    await page.press('#question', 'Enter');
    await page.waitForSelector('text=Session expirée');
    await signIn(page, key);
    expect(await page.inputValue('#question')).toBe('Question tapée avant expiration');
  });

  it('is usable with the keyboard alone', async () => {
    await page.goto(`${server.url}/#/assistant`);
    await page.reload(); // focus starts at the top of the document
    await page.waitForSelector('#question');
    const seen = new Set<string>();
    for (let i = 0; i < 80 && !(seen.has('question') && seen.has('send')); i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(
        () => document.activeElement?.id || document.activeElement?.textContent?.trim() || '',
      );
      seen.add(id);
    }
    expect(seen.has('question'), [...seen].join(' | ')).toBe(true);
    expect(seen.has('send')).toBe(true); // the "Envoyer" button
    expect(
      [...seen].some((s) => s === 'Administration'),
      [...seen].join(' | '),
    ).toBe(true);
  });
  it('renders Markdown (GFM table, ordered list, heading, emphasis, link, code) during and after streaming', async () => {
    await signIn(page, key, scripted.url);
    await page.fill('#question', 'Un tableau des pièces à fournir ?');
    await page.press('#question', 'Enter');
    // Mid-stream: the ordered list is already a list, not "1." text (the upstream is still writing).
    await page.waitForSelector('.gc-msg--assistant .gc-answer-text ol li');
    expect(await page.getAttribute('.gc-thread', 'aria-busy')).toBe('true');
    await page.waitForSelector('.gc-msg--assistant .gc-answer-text table');
    await sizedShot(page, '13-markdown-en-cours');
    await page.waitForSelector('.gc-thread[aria-busy="false"]');
    const answer = page.locator('.gc-msg--assistant .gc-answer-text').last();
    expect(await answer.locator('ol > li').count()).toBe(3);
    expect(await answer.locator('table th').allTextContents()).toEqual(['Pièce', 'Délai']);
    expect(await answer.locator('table td').first().textContent()).toBe('Justificatif de domicile');
    expect(await answer.locator('h3, h4, h5, h6').first().textContent()).toBe('Démarches');
    expect(await answer.locator('em').first().textContent()).toBe('dans l’ordre');
    expect(await answer.locator('strong').first().textContent()).toBe('pièces justificatives');
    expect(await answer.locator('code').first().textContent()).toBe('cerfa 12100');
    expect(await answer.locator('a[href="https://www.service-public.fr"]').getAttribute('rel')).toMatch(
      /noopener/,
    );
    const text = (await answer.textContent())!;
    expect(text).not.toMatch(/\|\s*---|###|\*dans/);
    await answer.locator('.gc-cite').first().focus();
    await page.waitForSelector('.gc-preview:visible');
    expect(await page.locator('.gc-preview:visible').textContent()).toMatch(/Source 1/);
    await atEachSize(page, async (w) => {
      await sizedShot(page, '14-markdown');
      await axe(page, `markdown ${w}`);
    });
  });

  it('renders an XSS payload in a model answer and in a local source inert', async () => {
    await page.fill('#question', 'Comment renouveler une carte nationale d’identité ? Réponse piégée');
    await page.press('#question', 'Enter');
    await page.waitForSelector('.gc-thread[aria-busy="false"]');
    await page.waitForTimeout(200);
    const last = page.locator('.gc-msg--assistant .gc-answer-text').last();
    expect(await last.textContent()).toMatch(/Réponse piégée <img src=x onerror=/);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('.gc-thread img, .gc-thread script').count()).toBe(0);
    expect(await last.locator('a:has-text("cliquez")').getAttribute('href')).toBeNull();
    // A local document whose text carries a payload, cited by the (extractive) assistant.
    await signIn(page, key);
    await page.goto(`${server.url}/#/admin/documents`);
    await page.waitForSelector('#upload-input');
    await page.setInputFiles('#upload-input', [
      {
        name: 'piege_xylophone.md',
        mimeType: 'text/markdown',
        buffer: Buffer.from(
          '# Xylophone municipal piégé\n\nLe xylophone municipal se réserve en mairie <img src=x onerror="window.__xss=4"> <script>window.__xss=5</script> tous les mardis.\n',
        ),
      },
    ]);
    await page.waitForSelector('#upload-results li.is-ok');
    await page.goto(`${server.url}/#/assistant`);
    await page.waitForSelector('#question');
    await askTimed(page, 'Comment réserver le xylophone municipal ?');
    await page.waitForSelector('.gc-sources :text("Xylophone")');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('main img, main script').count()).toBe(0);
  });

  it('stops mid-stream (the upstream sees the cancel), follows the stream unless scrolled up, regenerates and edits without duplicating the question', async () => {
    await signIn(page, key, scripted.url);
    const closed = upstream.nextEarlyClose(15_000);
    await page.fill('#question', 'Comment renouveler une carte nationale d’identité ? Réponse longue');
    await page.press('#question', 'Enter');
    await page.waitForFunction(
      () =>
        (document.querySelector('.gc-msg--assistant:last-of-type .gc-answer-text')?.textContent ?? '')
          .length > 2000,
    );
    // The view follows: the stop button stays on screen while the answer grows.
    const inView = () =>
      page.evaluate(() => {
        const r = document.getElementById('stop')!.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      });
    expect(await inView()).toBe(true);
    // Scrolled up: the view stays where the advisor is reading.
    await page.mouse.move(600, 400);
    await page.mouse.wheel(0, -1500);
    await page.waitForTimeout(400);
    const y = await page.evaluate(() => window.scrollY);
    await page.waitForTimeout(600);
    expect(Math.abs((await page.evaluate(() => window.scrollY)) - y)).toBeLessThan(5);
    await sizedShot(page, '15-flux-lecture');
    await page.keyboard.press('Escape'); // the shortcut stops the answer
    await closed;
    await page.waitForSelector('.gc-thread[aria-busy="false"]');
    expect(await page.textContent('.gc-msg--assistant')).toMatch(/arrêtée à votre demande/);
    const before = upstream.requests.length;
    // Regenerate: a new answer, the question is still there once.
    await page.click('.gc-regenerate:visible');
    await page.waitForSelector('.gc-thread[aria-busy="false"]');
    await page.waitForSelector(`.gc-msg--assistant :text("Réponse scriptée n° ${before + 1}")`);
    expect(await page.locator('.gc-msg--user').count()).toBe(1);
    expect(await page.locator('.gc-msg--assistant').count()).toBe(1);
    // Edit the question and send it again: replaced, not added.
    await page.click('.gc-msg--user .gc-edit');
    await page.fill('.gc-msg--user textarea', 'Question corrigée après coup');
    await page.click('button:has-text("Renvoyer la question")');
    await page.waitForSelector('.gc-msg--user:has-text("Question corrigée après coup")');
    await page.waitForSelector('.gc-thread[aria-busy="false"]');
    expect(await page.locator('.gc-msg--user').count()).toBe(1);
    expect(await page.locator('.gc-msg--assistant').count()).toBe(1);
    // The server agrees after a reload.
    await page.reload();
    await page.waitForSelector('.gc-msg--user');
    expect(await page.locator('.gc-msg--user').allTextContents()).toEqual([
      expect.stringContaining('Question corrigée après coup'),
    ]);
    expect(await page.locator('.gc-msg--assistant').count()).toBe(1);
    await shot(page, '16-question-modifiee');
  });

  it('keeps a question refused with a 429 out of the thread, back in the box, with the error in view', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.route('**/v1/conversations/*/messages', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '12' },
        body: JSON.stringify({
          error: {
            message: 'Limite de requêtes par minute de la clé atteinte (30). Réessayez dans 12 s.',
            type: 'rate_limit_error',
            code: 'rate_limit_exceeded',
          },
        }),
      }),
    );
    const users = await page.locator('.gc-msg--user').count();
    await page.fill('#question', 'Question refusée par le quota');
    await page.press('#question', 'Enter');
    await page.waitForSelector('#ask-status .fr-alert--error');
    expect(await page.locator('.gc-msg--user').count()).toBe(users);
    expect(await page.inputValue('#question')).toBe('Question refusée par le quota');
    const visible = await page.evaluate(() => {
      const r = document.querySelector('#ask-status .fr-alert')!.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    });
    expect(visible).toBe(true);
    await sizedShot(page, '17-erreur-visible');
    await page.unroute('**/v1/conversations/*/messages');
    // No connection at all: "server unreachable", not "cut during the answer", question kept.
    await page.route('**/v1/conversations/*/messages', (route) => route.abort('connectionrefused'));
    await page.press('#question', 'Enter');
    await page.waitForSelector('#ask-status :text("Serveur injoignable")');
    expect(await page.textContent('#ask-status')).not.toMatch(/pendant la réponse/);
    expect(await page.inputValue('#question')).toBe('Question refusée par le quota');
    await page.unroute('**/v1/conversations/*/messages');
    await page.fill('#question', '');
  });

  it('searches and renames conversations; the shortcuts help lists the shortcuts', async () => {
    await page.goto(`${scripted.url}/#/assistant`);
    await page.waitForSelector('#history-search');
    const total = await page.locator('#history-list li').count();
    expect(total).toBeGreaterThan(1);
    await page.fill('#history-search', 'REPONSE LONGUE'); // accents and case ignored
    await expect.poll(() => page.locator('#history-list li:visible').count()).toBe(1);
    await page.click('#history-list li:visible button[title^="Renommer"]');
    // (A title never shows personal data: a person's name typed here would be masked.)
    await page.fill('#history-list li input', 'Dossier carte d’identité');
    await page.press('#history-list li input', 'Enter');
    await page.waitForSelector('#history-list a:has-text("Dossier carte d’identité")');
    await page.reload();
    await page.waitForSelector('#history-list a:has-text("Dossier carte d’identité")');
    await page.keyboard.press('?');
    await page.waitForSelector('#shortcuts-modal[open]');
    expect(await page.textContent('#shortcuts-modal')).toMatch(/Nouvelle conversation.*Arrêter la réponse/s);
    // The DSFR modal fades in: colours are judged once it is opaque.
    await page.waitForFunction(
      () => getComputedStyle(document.getElementById('shortcuts-modal')!).opacity === '1',
    );
    await page.waitForTimeout(300);
    await axe(page, 'raccourcis');
    await shot(page, '18-raccourcis');
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('question');
  });
  it('shows the corpus date in the assistant header when /health gives it, nothing otherwise', async () => {
    await page.goto(`${server.url}/#/assistant`);
    await page.reload();
    await page.waitForSelector('#question');
    await page.waitForTimeout(300);
    const health = (await (await fetch(`${server.url}/health`)).json()) as { corpus?: unknown };
    if (!health.corpus) expect(await page.isVisible('#corpus-date')).toBe(false);
    await page.route('**/health', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          status: 'ok',
          corpus: { date: '2020-08-18', stale: true, last_refresh: '2026-12-01T03:00:00Z' },
        }),
      }),
    );
    await page.reload();
    await page.waitForSelector('#corpus-date:visible');
    expect(await page.textContent('#corpus-date')).toMatch(/à jour du 18\/08\/2020.*Corpus ancien/s);
    await sizedShot(page, '19-date-du-corpus');
    await page.unroute('**/health');
  });

  it('every page of the assistant, the admin and the DPO: no axe violation at 1366×768, 768×1024 and 390×844', async () => {
    await page.goto(`${server.url}/#/assistant`);
    await page.reload();
    await page.waitForSelector('#history-list a');
    await page.click('#history-list a');
    await page.waitForSelector('.gc-msg--assistant .gc-actions');
    const pages: [string, string, string][] = [
      ['#/admin/documents', '#upload-input', '20-admin-documents'],
      ['#/admin/comptes', '#new-key, button:has-text("Créer la clé")', '21-admin-comptes'],
      ['#/admin/usage', '#chart-days canvas[data-ready]', '22-admin-consommation'],
      ['#/admin/avis', '#feedback-list', '23-admin-avis'],
      ['#/admin/pilote', '#pilot-weeks', '26-admin-pilote'],
      ['#/admin/confidentialite', '#flows-summary', '24-admin-confidentialite'],
      ['#/admin/outils-ia', '#ai-tools-table', '28-admin-outils-ia'],
      ['#/admin/formation', '#formation-export-csv', '26-admin-formation'],
      ['#/formation/2', '#formation-etape h3', '27-formation'],
      ['#/formation/quiz', '#quiz-start', '28-formation-quiz'],
    ];
    await atEachSize(page, async (w) => {
      await sizedShot(page, '25-assistant');
      await axe(page, `assistant ${w}`);
    });
    expect(await page.textContent('main')).not.toMatch(/\bnull\b|undefined|\[object/);
    for (const [hash, ready, name] of pages) {
      await page.goto(`${server.url}/${hash}`);
      await page.waitForSelector(ready);
      await atEachSize(page, async (w) => {
        await page.waitForTimeout(150); // charts follow the new width
        await sizedShot(page, name);
        await axe(page, `${hash} ${w}`);
      });
    }
    // Data flows said in words: no model outside; only the DILA's public archives (corpus refresh).
    await page.goto(`${server.url}/#/admin/confidentialite`);
    expect(await page.textContent('#flows-summary')).toMatch(/flux sortants? vers des services ext/);
    expect(await page.textContent('main')).toMatch(/service-public/);
    expect(await page.textContent('main')).not.toMatch(/\bnull\b|undefined|\[object/);
    expect(await page.textContent('#audit-page')).not.toMatch(/\{"/); // words, not JSON
    expect(await page.textContent('#audit-page')).toMatch(/Clé d’API créée|Clé d’API révoquée/);
    // Sign-in page, signed out.
    await page.context().clearCookies(); // the session lives in a cookie
    await page.goto(`${server.url}/#/connexion`);
    await page.reload();
    await page.waitForSelector('#api-key');
    expect(await page.textContent('main')).not.toMatch(/Session expirée/);
    await atEachSize(page, async (w) => {
      await sizedShot(page, '26-connexion');
      await axe(page, `connexion ${w}`);
    });
    await signIn(page, key);
  });

  it('DPO: a dpo key reads privacy, audit and usage, exports a person, cannot erase; the admin erases with confirmation', async () => {
    const created = (await (
      await fetch(`${server.url}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Déléguée RGPD', role: 'dpo' }),
      })
    ).json()) as { key: string };
    const person = (await (
      await fetch(`${server.url}/v1/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'camille.agent@mairie.fr', name: 'Camille Agent', role: 'agent' }),
      })
    ).json()) as { id: string };
    await signIn(page, created.key);
    await page.goto(`${server.url}/#/admin/confidentialite`);
    await page.waitForSelector('#rights-person');
    const tabs = await page.locator('nav[aria-label="Rubriques de l’administration"] a').allTextContents();
    // The DPO follows the pilot and who has taken the AI training, and keeps the inventory of AI tools.
    expect(tabs).toEqual([
      'Consommation',
      'Avis reçus',
      'Pilote',
      'Confidentialité',
      'Outils d’IA',
      'Formation à l’IA',
    ]);
    expect(await page.locator('#rights-erase').count()).toBe(0);
    await page.selectOption('#rights-person', person.id);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#rights-export')]);
    expect(readFileSync((await download.path())!, 'utf8')).toContain('camille.agent@mairie.fr');
    await page.waitForSelector('#rights-messages :text("inscrit au journal d’audit")');
    await atEachSize(page, async (w) => {
      await sizedShot(page, '27-dpo');
      await axe(page, `dpo ${w}`);
    });
    // The admin erases, after typing the address to confirm.
    await signIn(page, key);
    await page.goto(`${server.url}/#/admin/confidentialite`);
    await page.waitForSelector('#rights-person');
    await page.selectOption('#rights-person', person.id);
    page.once('dialog', (d) => d.accept('autre@mairie.fr'));
    await page.click('#rights-erase');
    await page.waitForSelector('#rights-messages :text("rien n’a été effacé")');
    page.once('dialog', (d) => d.accept('camille.agent@mairie.fr'));
    await page.click('#rights-erase');
    await page.waitForSelector('#rights-messages :text("effacées")');
    await page.reload();
    await page.waitForSelector('#audit-page');
    expect(await page.textContent('#audit-page')).toMatch(/Export des données d’une personne/);
    expect(await page.textContent('#audit-page')).toMatch(/Effacement des données d’une personne/);
    expect(await page.textContent('#audit-page')).toMatch(/clé « Déléguée RGPD »/);
    // An organisation's admin reads the durations; the instance's operator changes them, audited.
    expect(await page.locator('#retention-form').count()).toBe(0);
    await signIn(page, operator);
    await page.goto(`${server.url}/#/admin/confidentialite`);
    await page.waitForSelector('#retention-form');
    await page.fill('#retention-conversations_days', '60');
    page.once('dialog', (d) => d.accept());
    await page.click('#retention-form button[type="submit"]');
    await page.waitForSelector('#retention-messages :text("Durées enregistrées")');
    expect(await page.textContent('#retention-list')).toMatch(/Conversations : 60 jours/);
    await axe(page, 'durées de conservation');
    await page.reload();
    await page.waitForSelector('#audit-page');
    expect(await page.textContent('#audit-page')).toMatch(/Durées de conservation modifiées/);
    await signIn(page, key);
  });
  it('the operator sees the backups and takes one now; an organisation’s admin has no such tab', async () => {
    await signIn(page, key);
    await page.goto(`${server.url}/#/admin/documents`);
    await page.waitForSelector('nav[aria-label="Rubriques de l’administration"]');
    expect(await page.locator('a[href="#/admin/sauvegardes"]').count()).toBe(0);
    await signIn(page, operator);
    await page.goto(`${server.url}/#/admin/sauvegardes`);
    await page.waitForSelector('#backup-now');
    const folder = join(dataDir, 'sauvegardes');
    expect(await page.textContent('#backup-list')).toContain(folder);
    expect(await page.textContent('#backup-list')).toMatch(/Fréquence : tous les jours/);
    expect(await page.textContent('#backup-list')).toMatch(/Aucun élément/);
    await page.click('#backup-now');
    await page.waitForSelector('#backup-messages :text("Sauvegarde écrite")', { timeout: 180_000 });
    const written = readdirSync(folder);
    expect(written).toHaveLength(1);
    const rows = await page.locator('#backup-list tbody tr').allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(written[0]);
    expect(rows[0]).toMatch(/Manuelle/);
    await axe(page, 'sauvegardes');
    await signIn(page, key);
  }, 240_000);
});
