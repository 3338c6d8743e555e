import { rmSync } from 'node:fs';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import { createEgressFetch, type EgressFetch } from '../../src/models/http-client.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import { testServices } from '../helpers/accounts.js';
import {
  browse,
  CookieJar,
  listenLate,
  startTestIssuer,
  type LateServer,
  type TestIssuer,
} from './oidc-issuer.js';

const CLIENT_ID = 'guichet-test';
const CLIENT_SECRET = 'secret-du-client-de-test-0123456789';
const SIRET_A = '21750001600019';
const SIRET_PREF = '13000000000001';

let issuer: TestIssuer;
let guichet: LateServer;
let services: Awaited<ReturnType<typeof testServices>>;
let egress: EgressFetch;

beforeAll(async () => {
  guichet = await listenLate();
  issuer = await startTestIssuer({
    redirectUri: `${guichet.url}/auth/callback`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
  });
  // The issuer's origin is declared in the shared egress allow-list: sign-in traffic goes through it.
  egress = createEgressFetch([issuer.issuer]);
  services = await testServices({
    egress,
    config: {
      oidc: {
        issuer: issuer.issuer,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_url: `${guichet.url}/auth/callback`,
        cookie_secure: false,
        after_login_path: '/accueil',
      },
    },
  });
  const orgs = services.store.accounts.orgs;
  await orgs.create({
    id: 'ville-a',
    name: 'Ville A',
    siret: SIRET_A,
    emailDomains: ['ville-a.fr'],
    allowSelfSignup: true,
  });
  await orgs.create({
    id: 'ville-b',
    name: 'Ville B',
    emailDomains: ['ville-b.fr', 'partage.gouv.fr'],
    allowSelfSignup: true,
  });
  await orgs.create({
    id: 'pref',
    name: 'Préfecture',
    siret: SIRET_PREF,
    emailDomains: ['partage.gouv.fr'],
    allowSelfSignup: true,
  });
  await orgs.create({
    id: 'fermee',
    name: 'Commune fermée',
    emailDomains: ['fermee.fr'],
    allowSelfSignup: false,
  });
  const people: [string, Parameters<TestIssuer['people']['set']>[1]][] = [
    [
      'alice',
      { email: 'Alice.Martin@ville-a.fr', given_name: 'Alice', usual_name: 'Martin', siret: SIRET_A },
    ],
    ['eve', { email: 'eve@gmail.com', given_name: 'Ève', usual_name: 'Intruse' }],
    ['paul', { email: 'paul@partage.gouv.fr', given_name: 'Paul', usual_name: 'Durand', siret: SIRET_PREF }],
    ['ambigu', { email: 'ambigu@partage.gouv.fr', given_name: 'Amb', usual_name: 'Igu' }],
    ['ferme', { email: 'jean@fermee.fr', given_name: 'Jean', usual_name: 'Porte' }],
    ['nonce', { email: 'nonce@ville-a.fr', given_name: 'Nina', usual_name: 'Once', siret: SIRET_A }],
  ];
  for (const [sub, p] of people) issuer.people.set(sub, p);
  guichet.setHandler(getRequestListener(createApp(services).fetch));
});

afterAll(async () => {
  await guichet?.close();
  await issuer?.close();
  await services?.store.close();
  if (services) rmSync(services.dir, { recursive: true, force: true });
});

const isCallback = (url: string) => url.startsWith(`${guichet.url}/auth/callback`);

/** Runs the browser part up to the provider's redirect back to /auth/callback (not fetched). */
async function toCallback(
  sub: string,
  jar = new CookieJar(),
  login = '/auth/login',
): Promise<{ jar: CookieJar; callback: string }> {
  issuer.signInAs(sub);
  const r = await browse(`${guichet.url}${login}`, jar, { stopAt: isCallback });
  expect(r.next, JSON.stringify(r.hops)).not.toBeNull();
  return { jar, callback: r.next! };
}

async function signIn(sub: string, accept = 'application/json') {
  const { jar, callback } = await toCallback(sub);
  const res = await fetch(callback, {
    redirect: 'manual',
    headers: { cookie: jar.header(callback), accept },
  });
  jar.store(callback, res);
  return { jar, callback, res, body: await res.text() };
}

const me = (jar: CookieJar) =>
  fetch(`${guichet.url}/v1/me`, { headers: { cookie: jar.header(guichet.url) } });
const session = async (jar: CookieJar) =>
  (await (
    await fetch(`${guichet.url}/auth/session`, { headers: { cookie: jar.header(guichet.url) } })
  ).json()) as any;

describe('OIDC sign-in against a real oidc-provider issuer', () => {
  it('login redirects to the issuer with code + PKCE S256, state, nonce and the ProConnect scopes', async () => {
    const jar = new CookieJar();
    const res = await fetch(`${guichet.url}/auth/login?return_to=//evil.example/x`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location')!);
    expect(url.origin).toBe(issuer.issuer);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();
    expect(q.get('scope')).toBe('openid email given_name usual_name siret');
    expect(q.get('client_id')).toBe(CLIENT_ID);
    jar.store(guichet.url, res);
    const cookie = res.headers.getSetCookie().join('\n');
    expect(cookie).toMatch(/guichet_oidc=[\w-]+; Path=\/auth; Max-Age=600; HttpOnly; SameSite=Lax/);
    expect(egress.stats().requests[issuer.issuer]).toBeGreaterThan(0);
  });

  it('first sign-in creates the user as agent in the organisation of the SIRET, with a secure session cookie', async () => {
    const { res, jar } = await signIn('alice');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/accueil');
    const setCookie = res.headers.getSetCookie().find((l) => l.startsWith('guichet_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=28800/);
    const user = await services.store.accounts.users.getByEmail('alice.martin@ville-a.fr');
    expect(user).toMatchObject({ orgId: 'ville-a', role: 'agent', name: 'Alice Martin' });
    const s = await session(jar);
    expect(s).toMatchObject({
      authenticated: true,
      user: { email: 'alice.martin@ville-a.fr', role: 'agent' },
      organisation: { id: 'ville-a' },
    });
    const m = await me(jar);
    expect(m.status).toBe(200);
    expect(JSON.stringify(await m.json())).toContain('ville-a');
    // The store keeps only a hash of the session id.
    const id = jar.get(guichet.url, 'guichet_session')!;
    const rows = (services.store as SqliteStore).db.prepare('SELECT id_hash FROM sessions').all() as {
      id_hash: string;
    }[];
    expect(rows.some((r) => r.id_hash === id)).toBe(false);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('a second sign-in finds the same user; an agent session cannot reach an admin route', async () => {
    const before = (await services.store.accounts.users.list('ville-a')).length;
    const { jar, res } = await signIn('alice');
    expect(res.status).toBe(303);
    expect((await services.store.accounts.users.list('ville-a')).length).toBe(before);
    const keys = await fetch(`${guichet.url}/v1/keys`, { headers: { cookie: jar.header(guichet.url) } });
    expect(keys.status).toBe(403);
  });

  it('refuses a disallowed e-mail domain with a French page and opens no session', async () => {
    const { res, body, jar } = await signIn('eve', 'text/html');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(body).toContain('Connexion refusée');
    expect(body).toContain('gmail.com');
    expect(res.headers.getSetCookie().some((l) => l.startsWith('guichet_session='))).toBe(false);
    expect(await services.store.accounts.users.getByEmail('eve@gmail.com')).toBeNull();
    expect((await me(jar)).status).toBe(401);
  });

  it('maps a shared domain to the organisation of the SIRET; without SIRET the domain is ambiguous', async () => {
    const paul = await signIn('paul');
    expect(paul.res.status).toBe(303);
    expect(await services.store.accounts.users.getByEmail('paul@partage.gouv.fr')).toMatchObject({
      orgId: 'pref',
      role: 'agent',
    });
    const ambigu = await signIn('ambigu');
    expect(ambigu.res.status).toBe(403);
    expect(JSON.parse(ambigu.body).error.message).toMatch(/Plusieurs organisations/);
  });

  it('refuses self-signup when the organisation does not allow it', async () => {
    const r = await signIn('ferme');
    expect(r.res.status).toBe(403);
    expect(JSON.parse(r.body).error.message).toMatch(/n'autorise pas l'inscription automatique/);
    expect(await services.store.accounts.users.getByEmail('jean@fermee.fr')).toBeNull();
  });

  it('signs out: the session is deleted and the cookie cleared', async () => {
    const { jar } = await signIn('alice');
    expect((await me(jar)).status).toBe(200);
    const old = jar.header(guichet.url);
    const out = await fetch(`${guichet.url}/auth/logout`, { method: 'POST', headers: { cookie: old } });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().join()).toMatch(/guichet_session=; Path=\/; Max-Age=0/);
    // Even a browser that kept the old cookie is signed out.
    expect((await fetch(`${guichet.url}/v1/me`, { headers: { cookie: old } })).status).toBe(401);
    expect(
      (await (await fetch(`${guichet.url}/auth/session`, { headers: { cookie: old } })).json()) as any,
    ).toMatchObject({ authenticated: false });
  });

  it('an expired session is refused and forgotten', async () => {
    const { jar } = await signIn('alice');
    expect((await me(jar)).status).toBe(200);
    const db = (services.store as SqliteStore).db;
    db.prepare('UPDATE sessions SET expires_at = ?').run(new Date(Date.now() - 1000).toISOString());
    expect((await me(jar)).status).toBe(401);
    expect((await session(jar)).authenticated).toBe(false);
  });

  it('refuses a callback with a bad state, and the sign-in request cannot be retried', async () => {
    const { jar, callback } = await toCallback('alice');
    const bad = new URL(callback);
    bad.searchParams.set('state', 'etat-falsifie');
    const res = await fetch(bad, { redirect: 'manual', headers: { cookie: jar.header(callback) } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toMatch(/state/);
    expect(res.headers.getSetCookie().some((l) => l.startsWith('guichet_session='))).toBe(false);
    // The genuine callback afterwards is refused too: the request was used up.
    const again = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header(callback) } });
    expect(again.status).toBe(401);
  });

  it('refuses a callback without the sign-in cookie of the browser that started it (login CSRF)', async () => {
    const { callback } = await toCallback('alice');
    const res = await fetch(callback, { redirect: 'manual' });
    expect(res.status).toBe(401);
  });

  it('refuses a replayed callback (same code twice)', async () => {
    const { jar, callback } = await toCallback('alice');
    const pending = jar.get(guichet.url, 'guichet_oidc')!;
    const first = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header(callback) } });
    expect(first.status).toBe(303);
    // Replay with the pending cookie restored: the request is consumed, and the code is spent at the issuer.
    const replay = await fetch(callback, {
      redirect: 'manual',
      headers: { cookie: `guichet_oidc=${pending}` },
    });
    expect(replay.status).toBe(401);
    expect(replay.headers.getSetCookie().some((l) => l.startsWith('guichet_session='))).toBe(false);
  });

  it('refuses an ID token whose nonce does not match the sign-in request', async () => {
    const { jar, callback } = await toCallback('nonce');
    (services.store as SqliteStore).db.prepare('UPDATE oidc_pending SET nonce = ?').run('un-autre-nonce');
    const res = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header(callback) } });
    expect(res.status).toBe(401);
    expect(await services.store.accounts.users.getByEmail('nonce@ville-a.fr')).toBeNull();
  });

  it('refuses a response from another issuer (iss parameter)', async () => {
    const { jar, callback } = await toCallback('alice');
    const bad = new URL(callback);
    expect(bad.searchParams.get('iss')).toBe(issuer.issuer);
    bad.searchParams.set('iss', 'https://faux-fournisseur.example');
    const res = await fetch(bad, { redirect: 'manual', headers: { cookie: jar.header(callback) } });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie().some((l) => l.startsWith('guichet_session='))).toBe(false);
  });

  it('writes sign-in events, accepted and refused, to the audit log', async () => {
    const entries = await services.audit!.page({ limit: 500 });
    const types = entries.map((e) => (e as { type: string }).type);
    expect(types).toContain('signin.accepted');
    expect(types).toContain('signin.refused');
    const reasons = entries
      .filter((e) => (e as { type: string }).type === 'signin.refused')
      .map((e) => JSON.stringify(e));
    expect(reasons.join()).toMatch(/bad_state/);
    expect(reasons.join()).toMatch(/not_allowed/);
  });

  it('refuses garbage session cookies and a /v1 call without any credential', async () => {
    for (const cookie of [
      'guichet_session=x',
      'guichet_session=' + 'a'.repeat(43),
      'guichet_session=../../etc',
      '',
    ]) {
      expect((await fetch(`${guichet.url}/v1/me`, { headers: { cookie } })).status).toBe(401);
    }
  });

  it('keeps only a local return path', async () => {
    const jar = new CookieJar();
    issuer.signInAs('alice');
    const r = await browse(
      `${guichet.url}/auth/login?return_to=${encodeURIComponent('/conversations?x=1')}`,
      jar,
      {
        stopAt: (u) => u.startsWith(guichet.url) && !u.includes('/auth/'),
      },
    );
    expect(r.next).toBe(`${guichet.url}/conversations?x=1`);
  });
});

describe('oidc configuration', () => {
  it('lists every missing setting when the issuer is set alone, and refuses a plain-HTTP remote issuer', () => {
    expect(() => loadConfig({ env: { OIDC_ISSUER: 'http://idp.example.fr' }, file: undefined })).toThrow(
      /oidc\.client_id[\s\S]*oidc\.client_secret[\s\S]*oidc\.redirect_url[\s\S]*oidc\.issuer : https obligatoire/,
    );
  });

  it('reads issuer, client id and secret from the environment', () => {
    const c = loadConfig({
      env: {
        OIDC_ISSUER: 'https://proconnect.gouv.fr/api/v2',
        OIDC_CLIENT_ID: 'id',
        OIDC_CLIENT_SECRET: 's',
      },
      file: undefined,
      overrides: { oidc: { redirect_url: 'https://guichet.example.fr/auth/callback' } },
    });
    expect(c.oidc).toMatchObject({
      issuer: 'https://proconnect.gouv.fr/api/v2',
      client_id: 'id',
      client_secret: 's',
      cookie_secure: true,
    });
  });

  it('answers 503 in French on /auth/login when sign-in is not configured', async () => {
    const s = await testServices();
    try {
      const res = await createApp(s).request('/auth/login');
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error.message).toMatch(/n'est pas configurée/);
      const who = await createApp(s).request('/auth/session');
      expect(await who.json()).toEqual({ authenticated: false, sign_in_url: null });
    } finally {
      await s.store.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
});
