import { z } from 'zod';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The `oidc` section: sign-in with ProConnect or any OpenID Connect provider. Absent issuer = no
 * browser sign-in (API keys only). The client secret is best given through OIDC_CLIENT_SECRET.
 */
export const oidcSchema = z
  .strictObject({
    /** e.g. https://auth.agentconnect.gouv.fr/api/v2 (ProConnect) or https://proconnect.gouv.fr/api/v2. */
    issuer: z.url({ error: 'URL attendue' }).optional(),
    client_id: z.string().min(1).optional(),
    client_secret: z.string().min(1).optional(),
    /** Public URL of `GET /auth/callback` as registered with the provider. */
    redirect_url: z.url({ error: 'URL attendue' }).optional(),
    scopes: z.string().min(1).default('openid email given_name usual_name siret'),
    token_endpoint_auth_method: z
      .enum(['client_secret_post', 'client_secret_basic'])
      .default('client_secret_post'),
    /** Signing algorithm of ID tokens (ProConnect: RS256 or ES256, as registered). */
    id_token_signed_response_alg: z.string().min(1).default('RS256'),
    /** Set when the provider answers userinfo as a signed JWT (ProConnect does). */
    userinfo_signed_response_alg: z.string().min(1).optional(),
    /** Lifetime of a browser session, in seconds (default 8 hours). */
    session_ttl_seconds: z
      .number()
      .int()
      .min(1)
      .default(8 * 3600),
    /** `Secure` attribute of the cookies; turn off only for plain-HTTP development on loopback. */
    cookie_secure: z.boolean().default(true),
    /** Where the browser goes after sign-in when no local return path was asked for. */
    after_login_path: z.string().startsWith('/').default('/'),
  })
  .superRefine((o, ctx) => {
    if (!o.issuer) return;
    if (!o.client_id)
      ctx.addIssue({
        code: 'custom',
        path: ['client_id'],
        message: 'obligatoire quand oidc.issuer est défini (OIDC_CLIENT_ID)',
      });
    if (!o.client_secret)
      ctx.addIssue({
        code: 'custom',
        path: ['client_secret'],
        message: 'obligatoire quand oidc.issuer est défini (variable OIDC_CLIENT_SECRET)',
      });
    if (!o.redirect_url)
      ctx.addIssue({
        code: 'custom',
        path: ['redirect_url'],
        message: 'obligatoire quand oidc.issuer est défini (URL publique de /auth/callback)',
      });
    const url = new URL(o.issuer);
    if (url.protocol !== 'https:' && !LOOPBACK.has(url.hostname)) {
      ctx.addIssue({
        code: 'custom',
        path: ['issuer'],
        message: 'https obligatoire (http seulement sur la boucle locale)',
      });
    }
  });

export type OidcConfig = z.output<typeof oidcSchema>;
