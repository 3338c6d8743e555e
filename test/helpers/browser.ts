/**
 * What the Chromium suites share: Debian's /usr/bin/chromium driven by playwright-core, launched
 * headless with no background traffic, pages whose requests to any other origin fail the test, and
 * the axe-core accessibility check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * True when the suite must be skipped: Chromium is absent and CI is not set (under CI=true the
 * suite runs and fails loudly instead). The reason is printed once, with the suite's name.
 */
export function skipWithoutChromium(suite: string): boolean {
  if (existsSync(CHROMIUM) || process.env.CI === 'true') return false;
  console.log(
    `[browser] ${suite} ignorée : ${CHROMIUM} est absent (apt-get install -y chromium) et CI n'est pas défini`,
  );
  return true;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A new context (French, laptop size unless told) whose requests to any non-loopback origin fail. */
export async function isolatedContext(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: 'fr-FR',
    viewport: { width: 1360, height: 900 },
    ...options,
  });
  // Nothing may leave for another origin (isolated network): fail loudly if a page tries.
  await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => {
    throw new Error(`request to another origin: ${route.request().url()}`);
  });
  return context;
}

/** A page in a new isolated context, with a default timeout. */
export async function isolatedPage(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
  timeoutMs = 20_000,
): Promise<Page> {
  const page = await (await isolatedContext(browser, options)).newPage();
  page.setDefaultTimeout(timeoutMs);
  return page;
}

/** Signs in on the sign-in page with an API key, and waits for the assistant. */
export async function signInWithKey(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/#/connexion`);
  await page.waitForLoadState('networkidle');
  await page.fill('#api-key', key);
  await page.press('#api-key', 'Enter');
  await page.waitForSelector('#question');
}

let axeSource: string | null = null;

/** axe-core on the page as it is: no violation of any impact (minor and moderate included). */
export async function expectNoAxeViolation(p: Page, name: string): Promise<void> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays untouched.
  if (!(await p.evaluate(() => 'axe' in window))) await p.evaluate(axeSource);
  const result = await p.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: {
          run: (
            o: unknown,
          ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe.run({ resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  expect(result, `axe on ${name}: ${JSON.stringify(result)}`).toEqual([]);
}
