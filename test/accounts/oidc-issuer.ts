import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// oidc-provider ships no types; the test uses a handful of its documented methods.
// @ts-expect-error untyped module
import Provider from 'oidc-provider';

/** A listening loopback HTTP server whose handler is set later (both sides need each other's URL). */
export interface LateServer {
  url: string;
  server: Server;
  setHandler(h: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function listenLate(): Promise<LateServer> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    setHandler: (h) => (handler = h),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Person {
  email: string;
  given_name?: string;
  usual_name?: string;
  siret?: string;
}

export interface TestIssuer {
  issuer: string;
  /** Who the next login interaction signs in (by subject); the provider asks nothing else. */
  people: Map<string, Person>;
  signInAs(sub: string): void;
  close(): Promise<void>;
}

/**
 * A real `oidc-provider` issuer on loopback: ProConnect's scopes and claims, PKCE required, the
 * client Guichet uses, and a tiny interaction handler (no forms) that logs in the chosen person and
 * grants the requested scopes.
 */
export async function startTestIssuer(o: {
  redirectUri: string;
  clientId: string;
  clientSecret: string;
}): Promise<TestIssuer> {
  const late = await listenLate();
  const people = new Map<string, Person>();
  let next: string | null = null;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(late.url, {
    clients: [
      {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        redirect_uris: [o.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: {
      keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' }],
    },
    scopes: ['openid', 'email', 'given_name', 'usual_name', 'siret'],
    claims: {
      openid: ['sub'],
      email: ['email'],
      given_name: ['given_name'],
      usual_name: ['usual_name'],
      siret: ['siret'],
    },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    cookies: { keys: ['cle-de-test-des-cookies-du-fournisseur'] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const p = people.get(sub);
      return p ? { accountId: sub, claims: async () => ({ sub, ...p }) } : undefined;
    },
  });
  const callback = provider.callback();
  late.setHandler((req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        if (!next) return void res.writeHead(400).end('no person chosen');
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: next } },
          { mergeWithLastSubmission: false },
        );
      } else {
        const grant = new provider.Grant({
          accountId: details.session.accountId,
          clientId: details.params.client_id,
        });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { consent: { grantId } },
          { mergeWithLastSubmission: true },
        );
      }
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });
  return {
    issuer: late.url,
    people,
    signInAs: (sub) => (next = sub),
    close: () => late.close(),
  };
}

/** Cookies per origin, as a browser keeps them (path and expiry simplified: Max-Age=0 deletes). */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();
  header(url: string): string {
    const jar = this.jars.get(new URL(url).origin);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }
  get(url: string, name: string): string | undefined {
    return this.jars.get(new URL(url).origin)?.get(name);
  }
  set(url: string, name: string, value: string): void {
    const origin = new URL(url).origin;
    if (!this.jars.has(origin)) this.jars.set(origin, new Map());
    this.jars.get(origin)!.set(name, value);
  }
  store(url: string, res: Response): void {
    const origin = new URL(url).origin;
    if (!this.jars.has(origin)) this.jars.set(origin, new Map());
    const jar = this.jars.get(origin)!;
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (gone) jar.delete(name);
      else jar.set(name, value);
    }
  }
}

export interface Hop {
  url: string;
  status: number;
  location: string | null;
}

/**
 * Follows redirects like a browser (GET, cookies per origin) until a response that is not a
 * redirect, or until `stopAt(url)` says the next URL must not be fetched (returned as `next`).
 */
export async function browse(
  start: string,
  jar: CookieJar,
  o: { stopAt?: (url: string) => boolean; accept?: string; method?: string } = {},
): Promise<{ hops: Hop[]; res: Response | null; next: string | null }> {
  const hops: Hop[] = [];
  let url = start;
  let method = o.method ?? 'GET';
  for (let i = 0; i < 20; i++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(url), accept: o.accept ?? 'application/json' },
    });
    jar.store(url, res);
    const location = res.headers.get('location');
    hops.push({ url, status: res.status, location });
    if (res.status < 300 || res.status >= 400 || !location) return { hops, res, next: null };
    await res.arrayBuffer();
    url = new URL(location, url).href;
    method = 'GET';
    if (o.stopAt?.(url)) return { hops, res: null, next: url };
  }
  throw new Error('too many redirects');
}
