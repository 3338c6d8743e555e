/**
 * The Ministry of Labour's « fiches pratiques du droit du travail » (travail-emploi.gouv.fr), from the
 * npm package `@socialgouv/fiches-travail-data`: one JSON array, each fiche turned into a
 * `SourceDocument` (intro, then one section per section of the page).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import type { Section, SourceDocument } from '../../model.js';
import { htmlToMarkdown } from '../files/html-to-markdown.js';

export const TRAVAIL_EMPLOI_PACKAGE = '@socialgouv/fiches-travail-data';

const FicheSection = z
  .object({
    title: z.string().catch(''),
    anchor: z.string().catch(''),
    html: z.string().catch(''),
    text: z.string().catch(''),
  })
  .passthrough();

const Fiche = z
  .object({
    pubId: z.string().min(1),
    title: z.string().min(1),
    url: z.string().url(),
    description: z.string().catch(''),
    intro: z.string().catch(''),
    date: z.string().catch(''),
    sections: z.array(FicheSection).catch([]),
  })
  .passthrough();

export type TravailEmploiFiche = z.infer<typeof Fiche>;

export interface RawFiche {
  id: string;
  /** The fiche's JSON as published (hashed for incremental ingestion). */
  json: string;
  fiche: TravailEmploiFiche | null;
  /** Why the fiche could not be read, in French. */
  problem: string | null;
}

export interface TravailEmploiSource {
  description: string;
  fiches: RawFiche[];
}

/** `13/11/2025` → `2025-11-13`; null when it is not such a date. */
export function isoDate(date: string): string | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(date.trim());
  return m ? `${m[3]}-${m[2]}-${m[1]}` : null;
}

export async function openTravailEmploiSource(): Promise<TravailEmploiSource> {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${TRAVAIL_EMPLOI_PACKAGE}/package.json`);
  } catch (e) {
    throw new AppError(
      'invalid_request',
      `Paquet ${TRAVAIL_EMPLOI_PACKAGE} introuvable : lancez « npm install ».`,
      {
        cause: e,
      },
    );
  }
  const dir = dirname(manifest);
  const version = z
    .object({ version: z.string().catch('?') })
    .catch({ version: '?' })
    .parse(JSON.parse(await readFile(manifest, 'utf8')) as unknown).version;
  let data: unknown;
  try {
    data = JSON.parse(await readFile(join(dir, 'data', 'fiches-travail.json'), 'utf8'));
  } catch (e) {
    throw new AppError('invalid_request', `Données du paquet ${TRAVAIL_EMPLOI_PACKAGE} illisibles.`, {
      cause: e,
    });
  }
  if (!Array.isArray(data))
    throw new AppError(
      'invalid_request',
      `Données du paquet ${TRAVAIL_EMPLOI_PACKAGE} : liste de fiches attendue.`,
    );
  const fiches = data.map((item: unknown, i): RawFiche => {
    const parsed = Fiche.safeParse(item);
    const rawId = (item as { pubId?: unknown } | null)?.pubId;
    const id = parsed.success ? parsed.data.pubId : typeof rawId === 'string' ? rawId : `#${i + 1}`;
    return {
      id,
      json: JSON.stringify(item),
      fiche: parsed.success ? parsed.data : null,
      problem: parsed.success
        ? null
        : `fiche illisible (${parsed.error.issues[0]?.path.join('.')} : ${parsed.error.issues[0]?.message})`,
    };
  });
  return { description: `paquet ${TRAVAIL_EMPLOI_PACKAGE} ${version}`, fiches };
}

/** Leftovers of the page that read as noise in an answer (video players, transcript toggles). */
function cleanMarkdown(md: string): string {
  return md
    .replace(/^\s*Lire la retranscription textuelle\s*$/gim, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function parseFiche(f: TravailEmploiFiche): SourceDocument {
  const sections: Section[] = [];
  const intro = cleanMarkdown(htmlToMarkdown(f.intro));
  if (intro) sections.push({ path: [], markdown: intro });
  for (const s of f.sections) {
    const body = cleanMarkdown(htmlToMarkdown(s.html || s.text));
    if (!body) continue;
    const heading = s.title.trim();
    // The first section often repeats the fiche's title: its text belongs to the top.
    const path = heading && heading !== f.title.trim() ? [heading] : [];
    sections.push({ path, markdown: body });
  }
  const markdown = [
    `# ${f.title}`,
    ...sections.map((s) => (s.path.length ? `## ${s.path[0]}\n\n${s.markdown}` : s.markdown)),
  ].join('\n\n');
  return {
    externalId: f.pubId,
    title: f.title.trim(),
    description: f.description.trim(),
    url: f.url,
    kind: 'fiche',
    audience: null,
    breadcrumb: ['Ministère du Travail', 'Fiches pratiques du droit du travail'],
    date: isoDate(f.date),
    markdown,
    sections,
    metadata: {
      source: 'travail-emploi.gouv.fr',
      anchors: f.sections.filter((s) => s.anchor).map((s) => ({ title: s.title, anchor: s.anchor })),
    },
  };
}
