/**
 * A newcomer's first start, in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core)
 * against a real `guichet serve` on a data folder with the indexed corpus and no account: the set-up
 * link read from the server's console, the first administrator created in the browser, a question
 * answered; then key sign-in to a session that a new browser context with the cookie keeps, and that
 * sign-out ends. `GUICHET_UPDATE_SCREENSHOTS=1` also writes the README's screenshot under docs/.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isolatedContext, launchChromium, skipWithoutChromium } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { copyCorpus } from '../helpers/corpus.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const skip = skipWithoutChromium('suite de la première installation');

const ARTIFACTS = join(ROOT, 'test-artifacts');
/** Screenshots the README shows, refreshed with GUICHET_UPDATE_SCREENSHOTS=1. */
const docsShot = (name: string) => {
  if (process.env.GUICHET_UPDATE_SCREENSHOTS === '1')
    copyFileSync(join(ARTIFACTS, name), join(ROOT, 'docs', name));
};

let server: RunningServer;
let browser: Browser;
let dataDir: string;
let link: string;
let key: string;
const contexts: BrowserContext[] = [];

async function newPage(storageState?: Awaited<ReturnType<BrowserContext['storageState']>>): Promise<Page> {
  const context = await isolatedContext(browser, { storageState });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** No page may show the literal word `null` (an absent value printed as text). */
async function expectNoNull(page: Page, where: string): Promise<void> {
  const text = await page.evaluate(() => document.body.innerText);
  expect(/\bnull\b/.test(text), `"null" on ${where}: ${text.slice(0, 400)}`).toBe(false);
}

describe.skipIf(skip)('first start in Chromium: set-up link, first admin, key session', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = await copyCorpus(); // the indexed corpus and no account, as after the first indexing
    server = await startServer({ GUICHET_DATA_DIR: dataDir, GUICHET_LOG_LEVEL: 'info' });
    const end = Date.now() + 10_000;
    while (!/jeton=/.test(server.stdout()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    link = /(http:\/\/\S+\/installation\?jeton=[A-Za-z0-9_-]+)/.exec(server.stdout())?.[1] ?? '';
    browser = await launchChromium();
  }, 400_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a first visit without any session shows the sign-in page, with no "Session expirée" and no "null"', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#api-key');
    expect(await page.locator('text=Session expirée').count()).toBe(0);
    expect(await page.textContent('main')).toMatch(/lien d’installation/);
    await expectNoNull(page, 'first visit');
  });

  it('creates the first administrator from the console link, signs them in, answers a question', async () => {
    expect(link, server.stdout()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/installation\?jeton=/);
    const page = await newPage();
    await page.goto(link);
    await page.fill('#setup-name', 'Camille Martin');
    await page.fill('#setup-email', 'camille.martin@mairie-exemple.fr');
    await page.screenshot({ path: join(ARTIFACTS, 'capture-installation.png') });
    docsShot('capture-installation.png');
    await page.click('button:has-text("Créer le compte administrateur")');
    await page.waitForSelector('#setup-key');
    key = (await page.textContent('#setup-key'))!.trim();
    expect(key).toMatch(/^gch_[A-Za-z0-9]{20,}$/);
    await page.screenshot({ path: join(ARTIFACTS, 'installation-terminee.png'), fullPage: true });

    await page.click('text=Ouvrir l’assistant');
    await page.waitForSelector('#question'); // signed in by the set-up: no key asked
    expect(await page.locator('text=Session expirée').count()).toBe(0);
    await page.click('#first-visit button'); // "J’ai compris"
    await expectNoNull(page, 'assistant after « J’ai compris »');
    await page.fill('#question', 'Comment renouveler une carte nationale d’identité ?');
    await page.press('#question', 'Enter');
    await page.waitForSelector('.gc-sources a[href*="service-public.gouv.fr"]', { timeout: 60_000 });
    await page.waitForSelector('.gc-thread[aria-busy="false"]');
    expect((await page.textContent('.gc-msg--assistant'))!.length).toBeGreaterThan(80);
    await expectNoNull(page, 'assistant with an answer');
    await page.screenshot({ path: join(ARTIFACTS, 'capture-assistant.png') });
    docsShot('capture-assistant.png');

    // The link is used: a second visit is refused with a French message.
    await page.goto(link);
    expect(await page.textContent('main')).toMatch(/Guichet a déjà un administrateur/);
  }, 120_000);

  it('key sign-in survives a new browser context carrying the cookie, and ends everywhere at sign-out', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/`);
    await page.fill('#api-key', key);
    await page.press('#api-key', 'Enter');
    await page.waitForSelector('#question');
    // The key is kept nowhere in the page's storage: the session is an HttpOnly cookie.
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    expect(stored).not.toContain(key);
    expect(await page.evaluate(() => document.cookie)).not.toMatch(/guichet_session/);
    const state = await page.context().storageState();
    expect(state.cookies.find((c) => c.name === 'guichet_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
    });

    // "The next morning": a new browser context with only the cookie is still signed in.
    const later = await newPage(state);
    await later.goto(`${server.url}/`);
    await later.waitForSelector('#question');
    // A new tab of the first browser too.
    const tab = await page.context().newPage();
    await tab.goto(`${server.url}/#/assistant`);
    await tab.waitForSelector('#question');
    await tab.close();

    await page.click('button:has-text("Se déconnecter")');
    await page.waitForSelector('#api-key');
    expect(await page.locator('text=Session expirée').count()).toBe(0);
    await expectNoNull(page, 'sign-in page after sign-out');
    // Ended on the server: the other context, holding the same cookie, is asked to sign in again.
    await later.reload();
    await later.waitForSelector('#api-key');
    expect(await later.locator('#question').count()).toBe(0);
  }, 120_000);

  it('the set-up link never appeared in the JSON logs', () => {
    const token = new URL(link).searchParams.get('jeton')!;
    expect(token.length).toBeGreaterThan(40);
    expect(server.stderr()).not.toContain(token);
    expect(server.stderr()).not.toContain(key);
  });
});
