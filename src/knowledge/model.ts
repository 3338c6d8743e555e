/**
 * The one document model every source produces (service-public.fr fiches, an organisation's files).
 * Sources turn their input into `SourceDocument`s; the chunker turns sections into `ChunkDraft`s.
 */

export type Audience = 'particuliers' | 'professionnels' | 'associations';

/** What kind of publication this is, in service-public.fr's own vocabulary (lower-case, dashed). */
export type DocumentKind =
  | 'fiche'
  | 'question-reponse'
  | 'dossier'
  | 'sous-dossier'
  | 'theme'
  | 'formulaire'
  | 'teleservice'
  | 'module-de-calcul'
  | 'lettre-type'
  | 'ressource'
  | 'document-local';

/** A part of a document's body under its heading path (chapter › case › situation). */
export interface Section {
  /** Headings from the document's top to this section, without the document title. */
  path: string[];
  /** The section's own body, as Markdown (no heading line for the path itself). */
  markdown: string;
  /**
   * A record that must never be split (a CSV row, a JSON object): the chunker keeps it whole,
   * even when it is longer than the chunk size.
   */
  atomic?: boolean;
}

export interface SourceDocument {
  /** Stable id within its collection: the fiche id (F33667) or a file's name. */
  externalId: string;
  title: string;
  description: string;
  /** Public URL (service-public.fr) or null for a local document. */
  url: string | null;
  kind: DocumentKind;
  audience: Audience | null;
  /** Theme path, e.g. ["Particuliers", "Logement", "Aides au logement"]. */
  breadcrumb: string[];
  /** Last modification date, ISO `YYYY-MM-DD`, when known. */
  date: string | null;
  /** The whole body as Markdown (what `GET /v1/documents/{id}` can show). */
  markdown: string;
  /** The body split by headings, for chunking. */
  sections: Section[];
  /** Free metadata kept with the document (subject, related ids, file name, mime type…). */
  metadata: Record<string, unknown>;
}

/** A chunk before it is stored: text plus the context that travels with it. */
export interface ChunkDraft {
  /** Position of the chunk in its document, from 0. */
  ordinal: number;
  /** Section path (chapter › case › situation). */
  path: string[];
  /** The chunk's own text (Markdown). */
  text: string;
  /** Approximate token count of `text`. */
  tokens: number;
}
