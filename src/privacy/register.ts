import type { Config } from '../config/schema.js';
import { dataFlowReport } from './data-flows.js';

const days = (n: number) => (n > 0 ? `${n} jours` : 'conservés jusqu’à suppression');

/** A record-of-processing entry (GDPR Art. 30), in Markdown, generated from the configuration. */
export function processingRegisterMarkdown(config: Config): string {
  const flows = dataFlowReport(config, { requests: {}, refused: {} }, new Date());
  const r = config.privacy.retention;
  const c = config.privacy.controller;
  const outside = flows.endpoints.filter(
    (e) => e.sovereignty && e.sovereignty.country !== 'FR' && !EU.has(e.sovereignty.country),
  );
  const exposed = flows.endpoints.filter((e) => e.foreignLawExposure);
  const undeclared = flows.endpoints.filter((e) => !e.sovereignty);
  const lines = [
    '# Registre des activités de traitement — Guichet (article 30 du RGPD)',
    '',
    `Fiche générée le ${new Date().toISOString().slice(0, 10)} à partir de la configuration ; à relire par le délégué à la protection des données.`,
    '',
    '## Responsable du traitement',
    `- Responsable : ${c.name}`,
    `- Contact : ${c.contact}`,
    `- Délégué à la protection des données : ${c.dpo}`,
    '',
    '## Finalités',
    '- Aider les agents d’accueil des services publics à répondre aux usagers à partir des sources officielles (service-public.fr) et des documents de la collectivité, avec citations.',
    '- Gérer les comptes des agents, les clés d’API, les quotas et la mesure d’usage (sans le texte des questions).',
    '- Assurer la sécurité et la traçabilité (journal d’audit chaîné).',
    '- Système d’IA : chaque réponse porte un marqueur « généré par une IA » (modèle, nombre de sources) ; l’agent vérifie avant de transmettre.',
    '',
    '## Catégories de personnes concernées',
    '- Agents de l’organisation (utilisateurs de Guichet).',
    '- Usagers dont l’agent évoque la situation dans ses questions (données saisies librement).',
    '',
    '## Catégories de données',
    '- Agents : identifiant, e-mail, nom, rôle, organisation, clés d’API (empreintes seulement), sessions, mesures d’usage.',
    '- Usagers (saisie libre) : identité, NIR, coordonnées, adresses, IBAN, numéros fiscaux et CAF, dates de naissance, situation administrative.',
    `- Conversations conservées pour l’interface : questions, réponses, citations, avis (${days(r.conversations_days)}).`,
    '',
    '## Destinataires',
    '- Agents habilités de l’organisation ; administrateurs de Guichet.',
    ...(flows.endpoints.length
      ? flows.endpoints.map((e) => {
          const s = e.sovereignty;
          const who = s
            ? `${s.operator} (${s.country}${s.hosting ? `, ${s.hosting}` : ''}${s.certifications.length ? `, ${s.certifications.join(', ')}` : ''})`
            : 'opérateur non déclaré';
          const pseudo =
            e.pseudonymised === 'yes' || e.pseudonymised === 'partially'
              ? ', données personnelles pseudonymisées avant envoi'
              : e.local
                ? ', serveur de l’organisation'
                : '';
          return `- Sous-traitant ${e.id} (${e.origin}) : ${who}${pseudo}.`;
        })
      : ['- Aucun sous-traitant externe : tous les modèles sont locaux.']),
    '',
    '## Transferts hors de l’Union européenne',
    outside.length
      ? outside.map((e) => `- ${e.id} : ${e.sovereignty!.country}`).join('\n')
      : '- Aucun transfert déclaré hors de l’UE.',
    exposed.length
      ? `- Exposition à une loi extra-européenne : ${exposed.map((e) => `${e.id} (${e.sovereignty!.foreign_laws.join(', ')})`).join(' ; ')}.`
      : '- Aucune exposition déclarée à une loi extra-européenne.',
    ...(undeclared.length
      ? [`- À compléter : souveraineté non déclarée pour ${undeclared.map((e) => e.id).join(', ')}.`]
      : []),
    '',
    '## Durées de conservation',
    `- Conversations : ${days(r.conversations_days)} après le dernier message.`,
    `- Mesures d’usage : ${days(r.usage_days)}.`,
    `- Journal d’audit : ${days(r.audit_days)}.`,
    `- Documents déposés : ${days(r.documents_days)}.`,
    `- Purge automatique : ${config.privacy.purge_interval_hours > 0 ? `toutes les ${config.privacy.purge_interval_hours} h et au démarrage` : 'désactivée (guichet privacy purge)'}.`,
    '',
    '## Mesures de sécurité',
    `- Pseudonymisation des données personnelles avant tout modèle non local : ${config.privacy.pseudonymise ? 'activée' : 'désactivée'} ; la correspondance reste en mémoire le temps de la requête.`,
    '- Organisations sensibles : seuls les modèles locaux ou qualifiés SecNumCloud sont acceptés.',
    '- Client HTTP sortant unique refusant toute destination non déclarée ; rapport des flux (guichet sovereignty report).',
    '- Clés d’API stockées sous forme d’empreintes ; contrôle d’accès par rôle ; quotas.',
    '- Journal d’audit append-only chaîné par SHA-256, vérifiable (guichet audit verify) ; jamais de texte de question ou de réponse.',
    '- Droits des personnes : export et effacement (guichet privacy export / erase, API /v1/privacy/users/{id}).',
  ];
  return lines.join('\n') + '\n';
}

const EU = new Set(
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);
