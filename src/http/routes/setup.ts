import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { openSession, serializeCookie, SESSION_COOKIE } from '../../accounts/oidc/sessions.js';
import { isOidcConfigured } from '../../accounts/oidc/client.js';
import { checkSetupToken, completeSetup, SETUP_PATH } from '../../accounts/setup.js';
import { runAsActor } from '../../privacy/audit-context.js';
import { AppError, isAppError } from '../../shared/errors.js';
import type { Services } from '../../services.js';
import type { AppEnv } from '../env.js';
import { errorBody } from '../errors.js';
import { isHttps, maxAgeUntil } from './auth.js';

const CSP = [
  "default-src 'self'",
  "script-src 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** A DSFR page of its own (no script): the set-up happens before anyone can use the web UI. */
function page(c: Context<AppEnv>, title: string, body: string, status: ContentfulStatusCode): Response {
  // The token is in this page's URL: never sent on as a referrer, never cached, never framed.
  c.header('cache-control', 'no-store');
  c.header('referrer-policy', 'no-referrer');
  c.header('content-security-policy', CSP);
  c.header('x-content-type-options', 'nosniff');
  return c.html(
    `<!doctype html><html lang="fr" data-fr-scheme="light"><head><meta charset="utf-8">` +
      `<meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>${escapeHtml(title)} – Guichet</title>` +
      `<link rel="stylesheet" href="/dsfr/dsfr.min.css"><link rel="icon" href="/dsfr/favicon/favicon.svg" type="image/svg+xml"></head>` +
      `<body><header role="banner" class="fr-header"><div class="fr-header__body"><div class="fr-container">` +
      `<div class="fr-header__body-row"><div class="fr-header__brand"><div class="fr-header__brand-top">` +
      `<div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div></div>` +
      `<div class="fr-header__service"><p class="fr-header__service-title">Guichet</p>` +
      `<p class="fr-header__service-tagline">Installation</p></div></div></div></div></div></header>` +
      `<main id="contenu" class="fr-container fr-py-4w"><div class="fr-grid-row"><div class="fr-col-12 fr-col-md-8">` +
      `<h1>${escapeHtml(title)}</h1>${body}</div></div></main></body></html>`,
    status,
  );
}

const alert = (type: 'error' | 'success' | 'info' | 'warning', text: string, title?: string) =>
  `<div class="fr-alert fr-alert--${type} fr-mb-3w" role="${type === 'error' ? 'alert' : 'status'}">` +
  (title ? `<h2 class="fr-alert__title">${escapeHtml(title)}</h2>` : '') +
  `<p>${escapeHtml(text)}</p></div>`;

function form(token: string, values: { name?: string; email?: string } = {}, error?: AppError): string {
  const invalid = (param: string) => error?.param === param;
  const group = (param: string, label: string, hint: string, input: string) =>
    `<div class="fr-input-group${invalid(param) ? ' fr-input-group--error' : ''}">` +
    `<label class="fr-label" for="setup-${param}">${label}<span class="fr-hint-text">${hint}</span></label>` +
    input +
    (invalid(param)
      ? `<p class="fr-error-text" id="setup-${param}-error">${escapeHtml(error!.message)}</p>`
      : '') +
    `</div>`;
  return (
    (error && !error.param ? alert('error', error.message) : '') +
    `<p>Guichet n’a pas encore d’administrateur. Créez le vôtre : vous recevrez votre première clé d’API ` +
    `(affichée une seule fois) et serez connecté·e à l’assistant dans ce navigateur.</p>` +
    `<form method="post" action="${SETUP_PATH}" novalidate>` +
    `<input type="hidden" name="jeton" value="${escapeHtml(token)}">` +
    `<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Premier administrateur</legend>` +
    `<div class="fr-fieldset__element">` +
    group(
      'name',
      'Nom',
      'Prénom et nom, par exemple Camille Martin',
      `<input class="fr-input" id="setup-name" name="nom" autocomplete="name" required maxlength="200" value="${escapeHtml(values.name ?? '')}">`,
    ) +
    `</div><div class="fr-fieldset__element">` +
    group(
      'email',
      'Adresse électronique',
      'Celle de votre messagerie professionnelle, par exemple camille.martin@mairie-exemple.fr',
      `<input class="fr-input" id="setup-email" name="email" type="email" autocomplete="email" required maxlength="254" value="${escapeHtml(values.email ?? '')}">`,
    ) +
    `</div><div class="fr-fieldset__element">` +
    `<button class="fr-btn" type="submit">Créer le compte administrateur</button></div></fieldset></form>`
  );
}

/**
 * The first-administrator set-up page: `GET /installation?jeton=…` (the one-time link printed by
 * `guichet serve`) shows a form; `POST /installation` creates the administrator, shows their first
 * API key once and opens a browser session. A browser gets French pages, anything else JSON.
 */
export function registerSetupRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const store = services.store;
  const wantsJson = (c: Context<AppEnv>) => !(c.req.header('accept') ?? '').includes('text/html');
  const refusal = (c: Context<AppEnv>, e: AppError) => {
    const status = e.status as ContentfulStatusCode;
    if (wantsJson(c)) {
      c.header('cache-control', 'no-store');
      return c.json(errorBody(e), status);
    }
    return page(
      c,
      'Lien d’installation refusé',
      alert('error', e.message) +
        `<p><a class="fr-link" href="/">Aller à la page de connexion de Guichet</a></p>`,
      status,
    );
  };

  app.get(SETUP_PATH, async (c) => {
    const token = c.req.query('jeton');
    const refused = await checkSetupToken({ store, token });
    if (refused) return refusal(c, refused);
    if (wantsJson(c)) return c.json({ valid: true });
    return page(c, 'Installation de Guichet', form(token!), 200);
  });

  app.post(
    SETUP_PATH,
    bodyLimit({
      maxSize: 16 * 1024,
      onError: () => {
        throw new AppError('payload_too_large', 'Le formulaire envoyé est trop volumineux.');
      },
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      let fields: Record<string, unknown>;
      if (type.startsWith('application/json')) {
        try {
          fields = ((await c.req.json()) ?? {}) as Record<string, unknown>;
        } catch {
          throw new AppError('invalid_json', "Le corps de la requête n'est pas un JSON valide.");
        }
      } else if (
        type.startsWith('application/x-www-form-urlencoded') ||
        type.startsWith('multipart/form-data')
      ) {
        fields = await c.req.parseBody();
      } else {
        throw new AppError(
          'unsupported_media_type',
          'Type de contenu non pris en charge : envoyez le formulaire ou du JSON.',
        );
      }
      const text = (v: unknown) => (typeof v === 'string' ? v : '');
      const token = text(fields.jeton);
      const name = text(fields.nom ?? fields.name);
      const email = text(fields.email);
      let result;
      try {
        // Audited (person and key created, session opened) as the system's set-up, with the request id.
        result = await runAsActor({ via: 'system', requestId: c.get('requestId') }, () =>
          completeSetup({ store, token, name, email }),
        );
      } catch (e) {
        if (!isAppError(e)) throw e;
        // Bad input: the form again, with the message beside the field; the link is still valid.
        if (e.param && !wantsJson(c))
          return page(
            c,
            'Installation de Guichet',
            form(token, { name, email }, e),
            e.status as ContentfulStatusCode,
          );
        return refusal(c, e);
      }
      const session = await openSession({
        store,
        user: result.user,
        ttlSeconds: services.config.accounts.session_ttl_seconds,
      });
      const secure =
        isHttps(c) || (isOidcConfigured(services.config.oidc) && services.config.oidc.cookie_secure);
      c.header(
        'set-cookie',
        serializeCookie(SESSION_COOKIE, session.id, { secure, maxAge: maxAgeUntil(session.expiresAt) }),
      );
      c.get('logger').info(
        { requestId: c.get('requestId'), userId: result.user.id, keyId: result.key.id },
        'first administrator created',
      );
      if (wantsJson(c)) {
        c.header('cache-control', 'no-store');
        return c.json(
          {
            user: {
              id: result.user.id,
              email: result.user.email,
              name: result.user.name,
              role: result.user.role,
            },
            key: result.secret,
            key_id: result.key.id,
          },
          201,
        );
      }
      return page(
        c,
        'Installation terminée',
        alert(
          'success',
          `Le compte administrateur de ${result.user.name} (${result.user.email}) est créé. Vous êtes connecté·e dans ce navigateur.`,
        ) +
          `<h2 class="fr-h4">Votre clé d’API, affichée une seule fois</h2>` +
          `<p>Copiez-la maintenant et rangez-la en lieu sûr (gestionnaire de mots de passe) : elle sert à vous connecter ` +
          `depuis un autre navigateur et à appeler l’API. Guichet n’en garde qu’une empreinte : il ne pourra plus l’afficher.</p>` +
          `<p><code id="setup-key" class="fr-text--lg" style="user-select: all; word-break: break-all">${escapeHtml(result.secret)}</code></p>` +
          `<ul class="fr-btns-group fr-btns-group--inline-md">` +
          `<li><a class="fr-btn" href="/#/assistant">Ouvrir l’assistant</a></li>` +
          `<li><a class="fr-btn fr-btn--secondary" href="/#/admin/documents">Ajouter les documents de la commune</a></li></ul>`,
        201,
      );
    },
  );
}
