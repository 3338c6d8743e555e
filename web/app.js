// Entry point: sign-in, navigation between the advisor's assistant and the admin console.
import { can, headers, session, setUnauthorizedHandler } from './api.js';
import { renderAssistant } from './assistant.js';
import { renderAdmin } from './admin.js';
import { alertBox, h } from './ui.js';
import { PUBLIC_PAGES, renderPublicPage } from './pages.js';
import { installShortcuts, openShortcuts } from './shortcuts.js';
import { mustTrain, renderTraining } from './training.js';

const main = document.getElementById('contenu');
let expiredNotice = false;
let focusQuestion = false;

setUnauthorizedHandler(() => {
  // Expired or revoked: back to the sign-in screen; the typed question is kept (draft in sessionStorage).
  // "Session expirée" only when there was a session to expire (not on a first visit).
  expiredNotice = Boolean(session.me);
  session.key = null;
  session.me = null;
  location.hash = '#/connexion';
  route();
});

// Who is signed in (session cookie): a 401 here is "not signed in yet", not an expired session.
async function whoAmI() {
  try {
    const r = await fetch('/v1/me', { credentials: 'same-origin', headers: headers() });
    session.me = r.ok ? await r.json() : null;
  } catch {
    session.me = null;
  }
  return session.me;
}

// Key sign-in: the server checks the key once and answers with an HttpOnly session cookie; the key
// itself is kept nowhere in the browser. True when signed in.
async function signInWithKey(key) {
  try {
    const r = await fetch('/auth/key', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key }),
    });
    return r.ok;
  } catch {
    return false;
  }
}

function renderTools() {
  const nav = document.getElementById('nav');
  nav.replaceChildren();
  // The same tools in the header (desktop) and in the mobile menu (tablet and phone): the DSFR
  // shows one or the other. Ids of the copy end in -mobile; sign-out works from both (delegation).
  const lists = [
    [document.getElementById('tools'), ''],
    [
      document.querySelector('.fr-header__menu-links ul') ?? document.getElementById('tools-mobile'),
      '-mobile',
    ],
  ];
  for (const [list, suffix] of lists) {
    if (!list) continue;
    list.replaceChildren();
    if (!session.me) continue;
    const who = session.me.user?.name || session.me.user?.email || session.me.key?.name || 'Clé d’API';
    list.append(
      h(
        'li',
        {},
        h(
          'p',
          {
            class: 'fr-btn fr-icon-account-circle-line fr-btn--tertiary-no-outline gc-identity',
            id: `identity${suffix}`,
          },
          `${who} · ${session.me.organisation.name}`,
        ),
      ),
      h(
        'li',
        {},
        h(
          'button',
          {
            class: 'fr-btn fr-icon-keyboard-line',
            type: 'button',
            dataset: { action: 'shortcuts' },
            title: 'Raccourcis clavier',
          },
          'Raccourcis clavier',
        ),
      ),
      h(
        'li',
        {},
        h(
          'button',
          { class: 'fr-btn fr-icon-logout-box-r-line', type: 'button', dataset: { action: 'signout' } },
          'Se déconnecter',
        ),
      ),
    );
  }
  const current = location.hash || '#/assistant';
  const link = (href, text) =>
    h(
      'li',
      { class: 'fr-nav__item' },
      h(
        'a',
        { class: 'fr-nav__link', href, ...(current.startsWith(href) ? { 'aria-current': 'page' } : {}) },
        text,
      ),
    );
  if (!session.me) {
    nav.append(link('#/connexion', 'Connexion'));
    return;
  }
  nav.append(link('#/assistant', 'Assistant'));
  if (can('training:take')) nav.append(link('#/formation', 'Formation à l’IA'));
  if (
    can('collections:write') ||
    can('users:manage') ||
    can('keys:manage') ||
    can('usage:read') ||
    can('audit:read')
  )
    nav.append(
      link(
        '#/admin',
        can('collections:write') || can('keys:manage') ? 'Administration' : 'Confidentialité et usage',
      ),
    );
}

/** Closes the mobile menu (a DSFR modal) after a navigation. */
function closeMenu() {
  const menu = document.getElementById('modal-menu');
  if (!menu?.classList.contains('fr-modal--opened')) return;
  try {
    window.dsfr?.(menu).modal.conceal();
  } catch {
    /* the DSFR script is not loaded yet */
  }
}

document.addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target.closest('[data-action], [data-skip]') : null;
  if (!target) return;
  if (target.dataset.action === 'signout') {
    closeMenu();
    signOut();
  } else if (target.dataset.action === 'shortcuts') {
    closeMenu();
    openShortcuts();
  } else if (target.dataset.skip) {
    // Skip links move the focus without touching the route (the hash holds the screen).
    const el = document.getElementById(target.dataset.skip);
    if (el) {
      e.preventDefault();
      el.focus();
      el.scrollIntoView();
    }
  }
});

async function signOut() {
  session.key = null;
  session.me = null;
  expiredNotice = false;
  // Ends the session on the server, not only in this tab.
  await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => {});
  location.hash = '#/connexion';
  route();
}

async function renderSignIn() {
  const keyInput = h('input', {
    class: 'fr-input',
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'api-key-hint',
  });
  const error = h('div', { 'aria-live': 'assertive' });
  let oidc = null;
  try {
    const r = await fetch('/auth/session', { credentials: 'same-origin' });
    if (r.ok) oidc = await r.json();
  } catch {
    /* sign-in by OIDC not installed */
  }
  const form = h(
    'form',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        error.replaceChildren();
        const key = keyInput.value.trim();
        if (!/^gch_\S+$/.test(key)) {
          error.append(alertBox('error', null, 'La clé doit commencer par « gch_ ».'));
          keyInput.focus();
          return;
        }
        if (!(await signInWithKey(key)) || !(await whoAmI())) {
          error.append(alertBox('error', null, 'Clé refusée : elle est inconnue, révoquée ou expirée.'));
          keyInput.focus();
          return;
        }
        expiredNotice = false;
        focusQuestion = true; // straight to the question box, not 20 Tab presses away
        location.hash = '#/assistant';
        route();
      },
    },
    h(
      'fieldset',
      { class: 'fr-fieldset' },
      h('legend', { class: 'fr-fieldset__legend' }, 'Connexion avec une clé d’API'),
      h(
        'div',
        { class: 'fr-fieldset__element' },
        h(
          'div',
          { class: 'fr-input-group' },
          h(
            'label',
            { class: 'fr-label', for: 'api-key' },
            'Clé d’API',
            h(
              'span',
              { class: 'fr-hint-text', id: 'api-key-hint' },
              'Commence par gch_. Le navigateur reste connecté, dans tous ses onglets, jusqu’à la déconnexion.',
            ),
          ),
          keyInput,
        ),
      ),
      h(
        'div',
        { class: 'fr-fieldset__element' },
        h('button', { class: 'fr-btn', type: 'submit' }, 'Se connecter avec la clé'),
      ),
    ),
    error,
    h(
      'p',
      { class: 'fr-text--sm' },
      'Première installation : ouvrez le lien d’installation affiché par « guichet serve » à son démarrage pour créer le compte administrateur.',
    ),
  );
  const proconnect = oidc?.sign_in_url
    ? h(
        'div',
        { class: 'fr-connect-group' },
        h(
          'a',
          { class: 'fr-connect', href: oidc.sign_in_url },
          h('span', { class: 'fr-connect__login' }, 'S’identifier avec'),
          h('span', { class: 'fr-connect__brand' }, 'ProConnect'),
        ),
        h(
          'p',
          {},
          h(
            'a',
            {
              href: 'https://www.proconnect.gouv.fr/',
              target: '_blank',
              rel: 'noopener',
              title: 'Qu’est-ce que ProConnect ? – nouvelle fenêtre',
            },
            'Qu’est-ce que ProConnect ?',
          ),
        ),
      )
    : h(
        'p',
        { class: 'fr-text--sm' },
        'La connexion ProConnect n’est pas configurée sur ce serveur : utilisez une clé d’API.',
      );
  main.replaceChildren(
    h('h1', {}, 'Connexion à Guichet'),
    expiredNotice
      ? alertBox(
          'warning',
          'Session expirée',
          'Votre session a expiré ou votre clé n’est plus valable. Reconnectez-vous : la question en cours de saisie est conservée.',
        )
      : '', // not null: replaceChildren would show the word null
    h(
      'div',
      { class: 'fr-grid-row fr-grid-row--gutters' },
      h('div', { class: 'fr-col-12 fr-col-md-6' }, h('h2', { class: 'fr-h4' }, 'Agents publics'), proconnect),
      h('div', { class: 'fr-col-12 fr-col-md-6' }, form),
    ),
  );
  document.title = 'Connexion – Guichet';
}

async function route() {
  const hash = location.hash || '#/assistant';
  if (!hash.startsWith('#/')) return; // an anchor inside the page, not a screen
  closeMenu();
  if (!session.me && hash !== '#/connexion') await whoAmI();
  renderTools();
  const page = PUBLIC_PAGES[hash.slice(2)];
  if (page) return renderPublicPage(main, page);
  if (!session.me) return renderSignIn();
  if (hash === '#/connexion') {
    location.hash = '#/assistant';
    return;
  }
  if (hash.startsWith('#/admin')) return renderAdmin(main, hash);
  if (hash.startsWith('#/formation')) return renderTraining(main, hash);
  // `training.required`: an untrained person is sent to the course instead of the assistant.
  if (await mustTrain()) {
    location.replace('#/formation');
    return;
  }
  await renderAssistant(main, hash);
  if (focusQuestion && location.hash.startsWith('#/assistant')) {
    focusQuestion = false;
    document.getElementById('question')?.focus();
  }
}

window.addEventListener('hashchange', route);
installShortcuts();
route();
