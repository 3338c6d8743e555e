/**
 * The `Parser` spec for an organisation's own files: bytes in, one document model out.
 * Every parser keeps headings as each section's path and marks records (CSV rows, JSON objects,
 * table row groups) `atomic` so that the chunker never splits them.
 */
import type { Section } from '../../model.js';

export type FileFormat =
  'pdf' | 'docx' | 'html' | 'markdown' | 'text' | 'csv' | 'json' | 'odt' | 'ods' | 'xlsx' | 'eml' | 'image';

export interface ParseInput {
  bytes: Buffer;
  fileName: string;
}

export interface ParsedFile {
  title: string;
  /** The whole document as Markdown. */
  markdown: string;
  sections: Section[];
  /** Problems met while parsing, in French (e.g. a page without a text layer). */
  warnings: string[];
  metadata: Record<string, unknown>;
}

export interface Parser {
  format: FileFormat;
  parse(input: ParseInput): Promise<ParsedFile>;
}
