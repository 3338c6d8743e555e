/**
 * The inventory of AI tools (issue 22, part 2): what each tool used by the organisation's services
 * does, with which data, from which provider, hosted where and under which laws, on which legal
 * basis, its DPIA status and a conformity checklist. Guichet itself is listed first, computed from
 * its configuration and data flows; only its DPIA and the organisation's notes are recorded (per
 * organisation). Exports for the DPO's register: CSV, Markdown, PDF.
 *
 * The checklist follows the CNIL's questions-answers on deploying a generative AI system
 * (18 July 2024): https://www.cnil.fr/fr/les-questions-reponses-de-la-cnil-sur-lutilisation-dun-systeme-dia-generative
 */
import { z } from 'zod';
import type { Organisation } from '../accounts/model.js';
import type { Config } from '../config/schema.js';
import type { StoredAiTool } from '../store/ai-tools-spec.js';
import { toCsv } from '../shared/csv.js';
import { textPdf, type PdfLine } from '../shared/text-pdf.js';
import { dataFlowReport } from './data-flows.js';

export const CNIL_GENAI_SOURCE =
  'https://www.cnil.fr/fr/les-questions-reponses-de-la-cnil-sur-lutilisation-dun-systeme-dia-generative';

/** The id of Guichet's own, computed entry. */
export const GUICHET_TOOL_ID = 'guichet';
export const GUICHET_TOOL_NAME = 'Guichet (assistant de réponse aux agents)';

/** GDPR article 6(1) bases. */
export const LEGAL_BASES = {
  consent: 'Consentement (art. 6.1.a RGPD)',
  contract: 'Exécution d’un contrat (art. 6.1.b RGPD)',
  legal_obligation: 'Obligation légale (art. 6.1.c RGPD)',
  vital_interests: 'Sauvegarde des intérêts vitaux (art. 6.1.d RGPD)',
  public_task: 'Mission d’intérêt public ou exercice de l’autorité publique (art. 6.1.e RGPD)',
  legitimate_interests: 'Intérêt légitime (art. 6.1.f RGPD, hors missions de service public)',
} as const;
export type LegalBasis = keyof typeof LEGAL_BASES;

export const DPIA_STATUSES = {
  not_required: 'non requise',
  to_do: 'à faire',
  in_progress: 'en cours',
  done: 'réalisée',
} as const;
export type DpiaStatus = keyof typeof DPIA_STATUSES;

/** The conformity checklist: the CNIL's recommendations for deploying generative AI (see above). */
export const CHECKLIST = [
  { id: 'concrete_need', label: 'Le déploiement répond à un besoin concret et à des usages identifiés' },
  {
    id: 'usage_rules',
    label:
      'Une liste des usages autorisés et interdits est définie (par exemple : pas de données personnelles inutiles, pas de décision confiée à l’outil)',
  },
  {
    id: 'limits_known',
    label: 'Les limites de l’outil (réponses fausses mais plausibles, biais) sont connues et documentées',
  },
  {
    id: 'secure_deployment',
    label: 'Système robuste et déploiement sécurisé (local, ou hébergement maîtrisé et spécialisé)',
  },
  {
    id: 'no_provider_reuse',
    label: 'Le fournisseur ne réutilise pas les données saisies (ou cette réutilisation est désactivée)',
  },
  {
    id: 'processor_contract',
    label: 'Un contrat de sous-traitance (art. 28 RGPD) encadre l’hébergeur et le fournisseur',
  },
  {
    id: 'transfers_framed',
    label: 'Pas de transfert hors de l’Union européenne, ou transferts encadrés (art. 44 et suivants RGPD)',
  },
  {
    id: 'professional_accounts',
    label: 'Accès par des comptes professionnels uniquement (jamais d’adresse personnelle)',
  },
  {
    id: 'users_trained',
    label: 'Les agents sont formés : usages interdits, risques, vérification des sources',
  },
  {
    id: 'governance',
    label:
      'Gouvernance en place : délégué à la protection des données, sécurité et métiers associés dès le début',
  },
  { id: 'people_informed', label: 'Les personnes concernées sont informées de l’usage de l’IA' },
  {
    id: 'human_review',
    label: 'Un agent relit les contenus produits avant qu’ils soient utilisés ou envoyés',
  },
] as const;
export type ChecklistId = (typeof CHECKLIST)[number]['id'];
const CHECKLIST_IDS = CHECKLIST.map((c) => c.id) as [ChecklistId, ...ChecklistId[]];

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `${max} caractères au plus.` });
const list = z.array(text(200).min(1, { error: 'Élément vide.' })).max(50, { error: '50 éléments au plus.' });

const dpiaStatus = z.enum(Object.keys(DPIA_STATUSES) as [DpiaStatus, ...DpiaStatus[]], {
  error: `Statut d’AIPD inconnu (attendu : ${Object.keys(DPIA_STATUSES).join(', ')}).`,
});

/** The fields of a tool besides its name (what the store keeps as `details`). */
export const AiToolDetailsSchema = z.strictObject({
  purpose: text(2000).default(''),
  services: list.default([]),
  data: z
    .strictObject({
      categories: list.default([]),
      personal_data: z.boolean().default(false),
      sensitive_data: z.boolean().default(false),
      sensitive_details: text(1000).default(''),
    })
    .default({ categories: [], personal_data: false, sensitive_data: false, sensitive_details: '' }),
  provider: text(200).default(''),
  hosting_country: text(100).default(''),
  /** A non-EU law can compel the provider (e.g. US CLOUD Act); null = not known. */
  foreign_law_exposure: z.boolean().nullable().default(null),
  foreign_laws: list.default([]),
  legal_basis: z
    .enum(Object.keys(LEGAL_BASES) as [LegalBasis, ...LegalBasis[]], {
      error: `Base légale inconnue (attendu : ${Object.keys(LEGAL_BASES).join(', ')}).`,
    })
    .nullable()
    .default(null),
  dpia_status: dpiaStatus.default('to_do'),
  /** Checklist item → met (true), not met (false); absent or null = not assessed. */
  checklist: z
    .partialRecord(z.enum(CHECKLIST_IDS, { error: 'Point de contrôle inconnu.' }), z.boolean().nullable())
    .default({}),
  notes: text(4000).default(''),
});
export type AiToolDetails = z.output<typeof AiToolDetailsSchema>;

export const AiToolCreateSchema = AiToolDetailsSchema.extend({
  name: text(200).min(1, { error: 'Le nom est obligatoire.' }),
});
/** A change: only the fields sent (no defaults filled in, or a PATCH would reset the others). */
export const AiToolPatchSchema = z.strictObject({
  name: AiToolCreateSchema.shape.name.optional(),
  ...Object.fromEntries(
    Object.entries(AiToolDetailsSchema.shape).map(([k, v]) => [k, v.unwrap().optional()]),
  ),
} as { name: z.ZodOptional<z.ZodString> } & {
  [K in keyof typeof AiToolDetailsSchema.shape]: z.ZodOptional<
    ReturnType<(typeof AiToolDetailsSchema.shape)[K]['unwrap']>
  >;
});

/**
 * What an organisation records on Guichet's own entry: what the configuration cannot tell (its DPIA
 * and its own notes). Kept per organisation in the store's `meta` (see `manage-ai-tools.ts`); every
 * other field of the entry stays computed.
 */
export const GuichetOrgFieldsSchema = z.strictObject({
  dpia_status: dpiaStatus.default('to_do'),
  /** When the DPIA was done (or last reviewed), `YYYY-MM-DD`. */
  dpia_date: z.iso.date({ error: 'Date attendue au format AAAA-MM-JJ.' }).nullable().default(null),
  /** The DPIA's reference in the organisation's register. */
  dpia_reference: text(200).default(''),
  /** The organisation's own notes (the computed `notes` stay as they are). */
  org_notes: text(4000).default(''),
});
export type GuichetOrgFields = z.output<typeof GuichetOrgFieldsSchema>;
export const GUICHET_ORG_FIELDS = Object.keys(GuichetOrgFieldsSchema.shape) as (keyof GuichetOrgFields)[];

/** A change to Guichet's entry: only the organisation's fields; any other is computed (French 400). */
export const GuichetPatchSchema = z.strictObject(
  {
    dpia_status: GuichetOrgFieldsSchema.shape.dpia_status.unwrap().optional(),
    dpia_date: GuichetOrgFieldsSchema.shape.dpia_date.unwrap().optional(),
    dpia_reference: GuichetOrgFieldsSchema.shape.dpia_reference.unwrap().optional(),
    org_notes: GuichetOrgFieldsSchema.shape.org_notes.unwrap().optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `l’entrée « Guichet » est calculée à partir de la configuration : seuls ${GUICHET_ORG_FIELDS.join(', ')} se modifient (champ refusé : ${issue.keys.join(', ')}).`
        : undefined,
  },
);
export type GuichetPatch = z.output<typeof GuichetPatchSchema>;

/** Guichet's fields as stored, read tolerantly (a field written differently reads as default). */
export function readGuichetOrgFields(raw: unknown): GuichetOrgFields {
  const fallback = GuichetOrgFieldsSchema.parse({});
  if (!raw || typeof raw !== 'object') return fallback;
  for (const k of GUICHET_ORG_FIELDS) {
    const one = GuichetOrgFieldsSchema.shape[k].safeParse((raw as Record<string, unknown>)[k]);
    if (one.success) (fallback as Record<string, unknown>)[k] = one.data;
  }
  return fallback;
}

/** One entry of the inventory as the API, the CLI and the exports see it. */
export interface AiTool extends AiToolDetails {
  id: string;
  object: 'ai_tool';
  name: string;
  /** Guichet's own entry: computed from the configuration; only its organisation fields change. */
  computed: boolean;
  /** Guichet's entry only (see `GuichetOrgFieldsSchema`). */
  dpia_date?: string | null;
  dpia_reference?: string;
  org_notes?: string;
  created_at: string | null;
  updated_at: string | null;
}

/** Details as stored, read tolerantly (a field an older version wrote differently reads as default). */
export function readDetails(raw: Record<string, unknown>): AiToolDetails {
  const out = AiToolDetailsSchema.safeParse(raw);
  if (out.success) return out.data;
  const fallback = AiToolDetailsSchema.parse({});
  for (const [k, v] of Object.entries(raw)) {
    const one = AiToolDetailsSchema.shape[k as keyof AiToolDetails]?.safeParse(v);
    if (one?.success) (fallback as Record<string, unknown>)[k] = one.data;
  }
  return fallback;
}

export function aiToolJson(t: StoredAiTool): AiTool {
  return {
    id: t.id,
    object: 'ai_tool',
    name: t.name,
    ...readDetails(t.details),
    computed: false,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

/**
 * Guichet's own entry, computed from its configuration and its data flows (`data-flows.ts`): every
 * outside endpoint, local or not, SecNumCloud, pseudonymised, and the configured providers. What the
 * organisation recorded (its DPIA, its notes) is merged in; nothing else comes from the store.
 */
export function guichetTool(
  config: Config,
  org: Pick<Organisation, 'sensitive'> | null,
  recorded: { fields: GuichetOrgFields; updatedAt: string | null } | null = null,
): AiTool {
  const own = recorded?.fields ?? GuichetOrgFieldsSchema.parse({});
  const report = dataFlowReport(config, { requests: {}, refused: {} }, new Date());
  const models = report.endpoints.filter((e) => e.kind === 'model_provider');
  const sensitive = org?.sensitive === true;
  // A sensitive organisation's text reaches no provider (privacy/answer-privacy.ts).
  const reached = sensitive ? [] : models;
  const remote = reached.filter((e) => !e.local);
  const providers = models.map((e) => {
    const s = e.sovereignty;
    const who = s ? `${s.operator}, ${s.country}` : 'opérateur non déclaré';
    const where = e.local ? 'local' : `${e.origin}${e.secnumcloud ? ', SecNumCloud' : ''}`;
    return `${e.id} (${who} ; ${where})`;
  });
  // Where personal data goes: the remote models, and the sign-in provider (agents' identity).
  const others = report.endpoints.filter((e) => e.kind !== 'model_provider');
  const personal = [...remote, ...others.filter((e) => e.kind === 'oidc_issuer')];
  const countries = [...new Set(personal.map((e) => e.sovereignty?.country ?? 'non déclaré'))];
  const laws = [...new Set(personal.flatMap((e) => e.sovereignty?.foreign_laws ?? []))];
  const exposure = personal.some((e) => e.foreignLawExposure === true)
    ? true
    : personal.some((e) => e.foreignLawExposure === null)
      ? null
      : false;
  const pseudonymised = remote.every((e) => e.pseudonymised === 'yes' || e.pseudonymised === 'not_needed');
  const days = config.privacy.retention.conversations_days;
  const categories = [
    'comptes des agents (e-mail, nom, rôle)',
    `questions et réponses des agents (conversations conservées ${days > 0 ? `${days} jours` : 'sans purge automatique'})`,
    'documents de la collectivité versés dans ses collections',
    ...new Set(reached.flatMap((e) => e.dataCategories.map((c) => `envoyé à un modèle : ${c}`))),
  ];
  const checklist: AiToolDetails['checklist'] = {
    concrete_need: true,
    limits_known: true,
    secure_deployment: remote.every((e) => e.secnumcloud),
    no_provider_reuse: remote.length === 0 ? true : null,
    transfers_framed: remote.length === 0 || exposure === false ? true : null,
    human_review: null,
  };
  const flows = remote.length
    ? `Envoyé hors du serveur à ${remote.map((e) => e.id).join(', ')} ; texte ${pseudonymised ? 'pseudonymisé avant envoi' : 'non pseudonymisé pour au moins une organisation'}.`
    : sensitive
      ? 'Organisation déclarée sensible : aucun texte ne quitte le serveur.'
      : 'Aucun envoi hors du serveur : modèles locaux ou modèle extractif.';
  const elsewhere = others.map((e) => `${e.id} (${e.origin} : ${e.dataCategories.join(' ; ')})`);
  return {
    id: GUICHET_TOOL_ID,
    object: 'ai_tool',
    name: GUICHET_TOOL_NAME,
    purpose:
      'Aider les agents à répondre aux questions des usagers à partir de sources officielles (service-public.gouv.fr, documents de la collectivité), avec des réponses citant leurs sources.',
    services: [],
    data: {
      categories,
      personal_data: true,
      sensitive_data: sensitive,
      sensitive_details: sensitive
        ? 'Organisation déclarée sensible : les données peuvent être sensibles, elles restent sur le serveur.'
        : 'Aucune donnée sensible attendue ; les agents ne doivent pas en saisir (détection et pseudonymisation automatiques).',
    },
    provider: providers.length ? providers.join(' ; ') : 'aucun fournisseur externe (modèle extractif local)',
    hosting_country: ['serveur de la collectivité', ...countries].join(' ; '),
    foreign_law_exposure: exposure,
    foreign_laws: laws,
    legal_basis: 'public_task',
    dpia_status: own.dpia_status,
    dpia_date: own.dpia_date,
    dpia_reference: own.dpia_reference,
    org_notes: own.org_notes,
    checklist,
    notes: `Entrée calculée à partir de la configuration et des flux de données (rapport de souveraineté). ${flows}${elsewhere.length ? ` Autres points de sortie : ${elsewhere.join(' ; ')}.` : ''}`,
    computed: true,
    created_at: null,
    updated_at: recorded?.updatedAt ?? null,
  };
}

// ---- Exports ----

const yesNo = (v: boolean | null) => (v === null ? 'inconnu' : v ? 'oui' : 'non');
const mark = (v: boolean | null | undefined) => (v === true ? 'oui' : v === false ? 'non' : 'à évaluer');
const score = (t: AiTool) => CHECKLIST.filter((c) => t.checklist[c.id] === true).length;
const frDay = (d: string) => d.split('-').reverse().join('/');
/** The DPIA's status, with its date and reference when the organisation gave them. */
const dpia = (t: AiTool) =>
  [
    DPIA_STATUSES[t.dpia_status],
    t.dpia_date ? `le ${frDay(t.dpia_date)}` : '',
    t.dpia_reference ? `(référence : ${t.dpia_reference})` : '',
  ]
    .filter(Boolean)
    .join(' ');
/** The notes; on Guichet's entry, the organisation's own before the computed ones. */
const notes = (t: AiTool) =>
  [t.org_notes ? `Notes de l’organisation : ${t.org_notes}` : '', t.notes].filter(Boolean).join(' — ');

/** One line per field, in the register's order (shared by the Markdown and the PDF). */
function fields(t: AiTool): [string, string][] {
  return [
    ['Finalité', t.purpose || '—'],
    ['Services utilisateurs', t.services.join(', ') || '—'],
    ['Catégories de données', t.data.categories.join(' ; ') || '—'],
    ['Données personnelles', yesNo(t.data.personal_data)],
    [
      'Données sensibles',
      `${yesNo(t.data.sensitive_data)}${t.data.sensitive_details ? ` (${t.data.sensitive_details})` : ''}`,
    ],
    ['Fournisseur', t.provider || '—'],
    ['Pays d’hébergement', t.hosting_country || '—'],
    [
      'Exposition à un droit extra-européen',
      `${yesNo(t.foreign_law_exposure)}${t.foreign_laws.length ? ` (${t.foreign_laws.join(', ')})` : ''}`,
    ],
    ['Base légale', t.legal_basis ? LEGAL_BASES[t.legal_basis] : 'non renseignée'],
    ['Analyse d’impact (AIPD)', dpia(t)],
    ['Conformité (recommandations CNIL)', `${score(t)} / ${CHECKLIST.length}`],
    ['Notes', notes(t) || '—'],
  ];
}

export function aiToolsCsv(tools: AiTool[]): string {
  const head = [
    'Identifiant',
    'Nom',
    'Entrée calculée',
    ...fields(EMPTY_TOOL).map(([k]) => k),
    ...CHECKLIST.map((c) => `CNIL : ${c.label}`),
  ];
  const rows = tools.map((t) => [
    t.id,
    t.name,
    t.computed ? 'oui' : 'non',
    ...fields(t).map(([, v]) => v),
    ...CHECKLIST.map((c) => mark(t.checklist[c.id])),
  ]);
  return toCsv([head, ...rows]);
}

const EMPTY_TOOL = {
  ...AiToolDetailsSchema.parse({}),
  id: '',
  object: 'ai_tool',
  name: '',
  computed: false,
  created_at: null,
  updated_at: null,
} satisfies AiTool;

export interface RegisterHeader {
  organisation: string;
  generatedAt: string;
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function aiToolsMarkdown(tools: AiTool[], h: RegisterHeader): string {
  const lines = [
    `# Inventaire des outils d’IA — ${h.organisation}`,
    '',
    `Généré le ${h.generatedAt} pour le registre du délégué à la protection des données. ${tools.length} outil(s).`,
    '',
    `Points de contrôle : recommandations de la CNIL pour le déploiement d’une IA générative (${CNIL_GENAI_SOURCE}).`,
  ];
  for (const t of tools) {
    lines.push('', `## ${t.name}${t.computed ? ' (entrée calculée par Guichet)' : ''}`, '');
    lines.push('| Rubrique | Valeur |', '|---|---|');
    for (const [k, v] of fields(t)) lines.push(`| ${k} | ${md(v)} |`);
    lines.push('', '### Points de contrôle CNIL', '');
    for (const c of CHECKLIST)
      lines.push(`- [${t.checklist[c.id] === true ? 'x' : ' '}] ${c.label} : ${mark(t.checklist[c.id])}`);
  }
  return lines.join('\n') + '\n';
}

/** The register as a PDF (for the DPO's register, beside the Markdown report). */
export async function aiToolsPdf(tools: AiTool[], h: RegisterHeader): Promise<Uint8Array> {
  const title = `Inventaire des outils d’IA — ${h.organisation}`;
  const lines: PdfLine[] = [
    { text: title, size: 16, bold: true, gap: 6 },
    { text: `Généré le ${h.generatedAt} pour le registre du délégué à la protection des données.` },
    { text: `Points de contrôle : recommandations de la CNIL (${CNIL_GENAI_SOURCE}).`, size: 8, gap: 10 },
  ];
  for (const t of tools) {
    lines.push(
      {
        text: `${t.name}${t.computed ? ' (entrée calculée par Guichet)' : ''}`,
        size: 13,
        bold: true,
        gap: 4,
      },
      ...fields(t).map(([k, v]) => ({ text: `${k} : ${v}`, indent: 8 })),
      { text: 'Points de contrôle CNIL', bold: true, indent: 8, gap: 1 },
      ...CHECKLIST.map((c, i) => ({
        text: `${mark(t.checklist[c.id])} — ${c.label}`,
        size: 9,
        indent: 16,
        gap: i === CHECKLIST.length - 1 ? 12 : 0,
      })),
    );
  }
  return textPdf(title, lines);
}
