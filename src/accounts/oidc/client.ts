import * as oidc from 'openid-client';
import { createEgressFetch, type EgressFetch } from '../../models/http-client.js';
import { AppError } from '../../shared/errors.js';
import type { OidcConfig } from './config.js';

export interface AuthorizationStart {
  /** Where to send the browser. */
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcClient {
  readonly issuerOrigin: string;
  /** Builds the authorization request (code + PKCE S256, state, nonce). */
  start(): Promise<AuthorizationStart>;
  /**
   * Exchanges the code of a callback and returns the identity claims (ID token, then userinfo).
   * Checks state, nonce, issuer (ID token `iss`, and the `iss` parameter when the provider sends
   * it), PKCE and the ID token signature; any failure throws AppError('unauthorized').
   */
  finish(
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<Record<string, unknown>>;
}

type Configured = OidcConfig & {
  issuer: string;
  client_id: string;
  client_secret: string;
  redirect_url: string;
};

export function isOidcConfigured(c: OidcConfig): c is Configured {
  return Boolean(c.issuer && c.client_id && c.client_secret && c.redirect_url);
}

/**
 * The provider as seen by Guichet. Every request to the issuer goes through an egress-controlled
 * fetch: the shared one when it already declares the issuer's origin, else one whose allow-list is
 * that origin alone (no redirects, nothing else reachable). Discovery happens on first use and is
 * retried after a failure.
 */
export function createOidcClient(config: OidcConfig, o: { egress?: EgressFetch } = {}): OidcClient {
  if (!isOidcConfigured(config)) {
    throw new AppError(
      'service_unavailable',
      "La connexion par ProConnect (OIDC) n'est pas configurée sur ce Guichet.",
    );
  }
  const issuerUrl = new URL(config.issuer);
  const issuerOrigin = issuerUrl.origin;
  const egress = o.egress?.allowedOrigins.includes(issuerOrigin)
    ? o.egress
    : createEgressFetch([issuerOrigin]);
  const insecure = issuerUrl.protocol === 'http:';
  let discovered: Promise<oidc.Configuration> | null = null;

  const configuration = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(
        issuerUrl,
        config.client_id,
        {
          client_secret: config.client_secret,
          redirect_uris: [config.redirect_url],
          id_token_signed_response_alg: config.id_token_signed_response_alg,
          ...(config.userinfo_signed_response_alg
            ? { userinfo_signed_response_alg: config.userinfo_signed_response_alg }
            : {}),
        },
        config.token_endpoint_auth_method === 'client_secret_basic'
          ? oidc.ClientSecretBasic(config.client_secret)
          : oidc.ClientSecretPost(config.client_secret),
        {
          [oidc.customFetch]: egress as oidc.CustomFetch,
          timeout: 10,
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      )
      .catch((e: unknown) => {
        discovered = null;
        throw new AppError(
          'service_unavailable',
          `Le fournisseur d'identité ${issuerOrigin} est injoignable ou mal configuré : réessayez plus tard.`,
          { cause: e },
        );
      });
    return discovered;
  };

  return {
    issuerOrigin,
    async start() {
      const c = await configuration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(c, {
        redirect_uri: config.redirect_url,
        scope: config.scopes,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url, state, nonce, codeVerifier };
    },
    async finish(callbackUrl, expected) {
      const c = await configuration();
      let claims: Record<string, unknown>;
      let accessToken: string;
      try {
        const tokens = await oidc.authorizationCodeGrant(c, callbackUrl, {
          pkceCodeVerifier: expected.codeVerifier,
          expectedState: expected.state,
          expectedNonce: expected.nonce,
          idTokenExpected: true,
        });
        claims = { ...(tokens.claims() ?? {}) };
        accessToken = tokens.access_token;
      } catch (e) {
        throw new AppError(
          'unauthorized',
          'Réponse du fournisseur d’identité refusée : connexion impossible.',
          { cause: e },
        );
      }
      try {
        const info = await oidc.fetchUserInfo(c, accessToken, String(claims.sub));
        // The ID token wins for `sub`; userinfo completes the profile (ProConnect sends it there).
        return {
          ...info,
          ...claims,
          ...pick(info, ['email', 'given_name', 'usual_name', 'family_name', 'siret']),
        };
      } catch (e) {
        if (typeof claims.email === 'string') return claims;
        throw new AppError(
          'unauthorized',
          'Profil du fournisseur d’identité illisible : connexion impossible.',
          { cause: e },
        );
      }
    },
  };
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
