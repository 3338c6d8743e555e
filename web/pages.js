// The pages every State site links from its footer: accessibility, legal notice, personal data,
// cookies. Readable without signing in.
import { h } from './ui.js';

export const PUBLIC_PAGES = {
  accessibilite: {
    title: 'Déclaration d’accessibilité',
    body: () => [
      h(
        'p',
        {},
        'Le service qui déploie Guichet s’engage à rendre son service accessible, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005.',
      ),
      h('h2', { class: 'fr-h4' }, 'État de conformité'),
      h(
        'p',
        {},
        'Guichet est ',
        h('strong', {}, 'non conforme'),
        ' avec le référentiel général d’amélioration de l’accessibilité (RGAA) : aucun audit n’a encore été réalisé. ',
        'L’interface est testée automatiquement (axe-core) à trois tailles d’écran et utilisable au clavier seul.',
      ),
      h('h2', { class: 'fr-h4' }, 'Retour d’information et contact'),
      h(
        'p',
        {},
        'Si vous n’arrivez pas à accéder à un contenu ou à un service, contactez l’administrateur de votre organisation pour être orienté vers une alternative accessible.',
      ),
      h('h2', { class: 'fr-h4' }, 'Voies de recours'),
      h(
        'p',
        {},
        'Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu et que vous n’obtenez pas de réponse, vous pouvez saisir le Défenseur des droits.',
      ),
    ],
  },
  'mentions-legales': {
    title: 'Mentions légales',
    body: () => [
      h('h2', { class: 'fr-h4' }, 'Éditeur'),
      h(
        'p',
        {},
        'Ce service est édité par l’organisation publique qui l’héberge (voir les informations fournies par votre administrateur). Guichet est un logiciel libre.',
      ),
      h('h2', { class: 'fr-h4' }, 'Hébergement'),
      h(
        'p',
        {},
        'Guichet est auto-hébergé : les données restent sur les serveurs de l’organisation qui l’exploite.',
      ),
      h('h2', { class: 'fr-h4' }, 'Contenus'),
      h(
        'p',
        {},
        'Les réponses sont produites par une intelligence artificielle à partir des fiches de service-public.fr (licence ouverte etalab-2.0) et des documents déposés par votre organisation. Elles n’ont pas de valeur juridique et doivent être vérifiées dans les sources citées.',
      ),
    ],
  },
  'donnees-personnelles': {
    title: 'Données personnelles',
    body: () => [
      h(
        'p',
        {},
        'Guichet conserve vos questions, les réponses et vos avis, visibles de vous seul, pendant la durée fixée par votre organisation (indiquée dans l’assistant), puis les supprime automatiquement.',
      ),
      h(
        'p',
        {},
        'Les données personnelles saisies (NIR, IBAN, téléphone…) sont pseudonymisées avant tout envoi à un modèle externe. Chaque accès et chaque modification sont inscrits dans un journal d’audit.',
      ),
      h(
        'p',
        {},
        'Pour exercer vos droits d’accès, de rectification et d’effacement, adressez-vous au délégué à la protection des données (DPO) de votre organisation : il peut exporter ou effacer vos données depuis l’écran « Confidentialité ».',
      ),
    ],
  },
  cookies: {
    title: 'Gestion des cookies',
    body: () => [
      h(
        'p',
        {},
        'Guichet ne dépose aucun cookie de mesure d’audience ni de publicité : aucun consentement n’est donc demandé.',
      ),
      h(
        'p',
        {},
        'Seul un cookie de session strictement nécessaire est déposé quand vous vous connectez avec ProConnect ; la clé d’API, elle, est gardée dans l’onglet (stockage de session) jusqu’à sa fermeture. Le choix du thème d’affichage est gardé dans votre navigateur.',
      ),
    ],
  },
};

export function renderPublicPage(main, page) {
  document.title = `${page.title} – Guichet`;
  main.replaceChildren(
    h('h1', {}, page.title),
    ...page.body(),
    h('p', { class: 'fr-mt-4w' }, h('a', { class: 'fr-link', href: '#/assistant' }, 'Retour à l’accueil')),
  );
}
