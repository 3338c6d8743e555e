import { z } from 'zod';
import { sovereigntySchema } from '../models/config.js';

/**
 * The `privacy` section of the configuration: pseudonymisation before non-local models, retention
 * per data class, the controller named in the record of processing, and the OIDC endpoint's
 * sovereignty (when the sign-in section does not carry it).
 */
const days = (fallback: number) =>
  z
    .number({ error: 'nombre de jours attendu' })
    .int({ error: 'nombre entier de jours attendu' })
    .min(0, { error: 'doit être positif ou nul (0 = pas de purge automatique)' })
    .default(fallback);

export const retentionSchema = z.strictObject({
  /** Conversations kept for the web UI, counted from their last message. */
  conversations_days: days(90),
  /** Usage rows (tokens, latency; never text). */
  usage_days: days(365),
  /** Audit log entries (the last one is always kept to anchor the chain). */
  audit_days: days(365),
  /** Documents uploaded to the authority's collections; 0 = kept until deleted. */
  documents_days: days(0),
});

export const privacySchema = z.strictObject({
  /** Pseudonymise the user's messages and private passages before a non-local model. */
  pseudonymise: z.boolean({ error: 'true ou false attendu' }).default(true),
  /** Per organisation id: overrides of `pseudonymise`. */
  organisations: z
    .record(
      z.string().min(1),
      z.strictObject({ pseudonymise: z.boolean({ error: 'true ou false attendu' }) }),
    )
    .default({}),
  retention: retentionSchema.default(retentionSchema.parse({})),
  /** Hours between two purges inside `guichet serve` (also run at start); 0 = never automatically. */
  purge_interval_hours: z.number().min(0).default(24),
  /** The controller named in the record of processing (GDPR Art. 30). */
  controller: z
    .strictObject({
      name: z.string().min(1).default('(à compléter : nom de la collectivité ou de l’administration)'),
      contact: z.string().min(1).default('(à compléter)'),
      dpo: z.string().min(1).default('(à compléter : délégué à la protection des données)'),
    })
    .default({
      name: '(à compléter : nom de la collectivité ou de l’administration)',
      contact: '(à compléter)',
      dpo: '(à compléter : délégué à la protection des données)',
    }),
  /** Sovereignty of the OIDC issuer (`oidc.issuer`), until the sign-in section declares its own. */
  oidc_sovereignty: sovereigntySchema.optional(),
});
export type PrivacyConfig = z.output<typeof privacySchema>;
