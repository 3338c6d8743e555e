/**
 * The admin console's « Personnes et clés » tab in a real Chromium against the real app on
 * loopback: each person's service is shown (« — » when none), and an administrator changes it in
 * place through `PATCH /v1/users/{id}`; the change is read back through the API. Only the
 * organisation's own services are offered.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ORG_ID } from '../../src/accounts/model.js';
import {
  expectNoAxeViolation as axe,
  isolatedContext,
  launchChromium,
  skipWithoutChromium,
  signInWithKey,
} from '../helpers/browser.js';
import { bearer, createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';
import { ROOT } from '../helpers/cli.js';

const skip = skipWithoutChromium('suite des personnes et de leurs services');

let app: RunningApp;
let browser: Browser;
let page: Page;
let admin: string;
let accueil: string;
let etatCivil: string;
let camille: string;
let dominique: string;

/** The people as the API gives them: id → service_id. */
async function servicesOfPeople(): Promise<Map<string, string | null>> {
  const r = await fetch(`${app.url}/v1/users`, { headers: bearer(admin) });
  expect(r.status).toBe(200);
  const list = (await r.json()) as { data: { id: string; service_id: string | null }[] };
  return new Map(list.data.map((u) => [u.id, u.service_id]));
}

/** The cells of a person's row in the « Personnes » table. */
const row = (p: Page, email: string) =>
  p.locator('table:has(caption:text("Personnes")) tr', { hasText: email });

describe.skipIf(skip)('people and their service in the admin console', () => {
  beforeAll(async () => {
    app = await startTestApp();
    const store = app.services.store;
    admin = await createTestKey(store, { role: 'admin', name: 'secrétariat' });
    accueil = (await store.accounts.services.create({ orgId: DEFAULT_ORG_ID, name: 'Accueil' })).id;
    etatCivil = (await store.accounts.services.create({ orgId: DEFAULT_ORG_ID, name: 'État civil' })).id;
    // Another organisation's service is never offered.
    await createTestKey(store, { orgId: 'autre-mairie', role: 'admin' });
    await store.accounts.services.create({ orgId: 'autre-mairie', name: 'Urbanisme voisin' });
    const person = async (email: string, name: string) =>
      (await store.accounts.users.create({ email, name, orgId: DEFAULT_ORG_ID, role: 'agent' })).id;
    camille = await person('camille.martin@mairie.fr', 'Camille Martin');
    dominique = await person('dominique.durand@mairie.fr', 'Dominique Durand');
    await store.accounts.users.setService(camille, accueil);
    browser = await launchChromium();
    page = await (await isolatedContext(browser, { viewport: { width: 1366, height: 768 } })).newPage();
    page.setDefaultTimeout(20_000);
    await signInWithKey(page, app.url, admin);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows each person’s service and changes it in place', async () => {
    await page.goto(`${app.url}/#/admin/comptes`);
    await row(page, 'camille.martin@mairie.fr').waitFor();
    const headers = await page.locator('table:has(caption:text("Personnes")) thead th').allTextContents();
    expect(headers).toEqual(['Nom', 'Adresse', 'Rôle', 'Service', 'Depuis', 'Changer de service']);
    const serviceCell = (email: string) => row(page, email).locator('td').nth(3).textContent();
    expect(await serviceCell('camille.martin@mairie.fr')).toBe('Accueil');
    expect(await serviceCell('dominique.durand@mairie.fr')).toBe('—');

    // The select has a label, shows the current service, and offers only this organisation's ones.
    const select = page.getByLabel('Service de Dominique Durand', { exact: true });
    expect(await select.inputValue()).toBe('');
    expect(await page.getByLabel('Service de Camille Martin', { exact: true }).inputValue()).toBe(accueil);
    expect(await select.locator('option').allTextContents()).toEqual(['Aucun', 'Accueil', 'État civil']);
    await axe(page, 'personnes et services');
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({
      path: join(ROOT, 'test-artifacts', '31-admin-personnes-services.png'),
      fullPage: true,
    });

    // Dominique joins « État civil »: shown, and kept (read back through the API).
    await select.selectOption(etatCivil);
    await page.getByRole('button', { name: 'Enregistrer le service de Dominique Durand' }).click();
    await page.getByText('Dominique Durand est rattaché(e) au service « État civil ».').waitFor();
    expect(await serviceCell('dominique.durand@mairie.fr')).toBe('État civil');
    expect((await servicesOfPeople()).get(dominique)).toBe(etatCivil);

    // Camille leaves every service.
    await page.getByLabel('Service de Camille Martin', { exact: true }).selectOption('');
    await page.getByRole('button', { name: 'Enregistrer le service de Camille Martin' }).click();
    await page.getByText('Camille Martin n’est plus rattaché(e) à aucun service.').waitFor();
    expect(await serviceCell('camille.martin@mairie.fr')).toBe('—');
    const after = await servicesOfPeople();
    expect(after.get(camille)).toBeNull();
    expect(after.get(dominique)).toBe(etatCivil);
    await page.reload();
    await row(page, 'dominique.durand@mairie.fr').waitFor();
    expect(await serviceCell('dominique.durand@mairie.fr')).toBe('État civil');
    expect(await page.getByLabel('Service de Dominique Durand', { exact: true }).inputValue()).toBe(
      etatCivil,
    );

    // A service deleted meanwhile: the error is said in French, nothing changes.
    await app.services.store.accounts.services.delete(accueil);
    await page.getByLabel('Service de Dominique Durand', { exact: true }).selectOption(accueil);
    await page.getByRole('button', { name: 'Enregistrer le service de Dominique Durand' }).click();
    await page.locator('#people-messages .fr-alert--error').getByText('Service introuvable').waitFor();
    expect((await servicesOfPeople()).get(dominique)).toBe(etatCivil);
  }, 60_000);
});
