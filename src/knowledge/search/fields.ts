import { analyze } from '../analyze/french.js';
import type { ChunkDraft } from '../model.js';
import type { LexicalFields } from '../../store/spec.js';

/**
 * Markdown link targets and bare URLs are not words of the text: they put "http", "www",
 * "service", "public", "vosdroits" in most chunks, which only adds noise and matching rows.
 * The link's visible text is kept.
 */
export function searchableText(markdown: string): string {
  return markdown.replace(/\]\([^)]*\)/g, ']').replace(/\b(?:https?:\/\/|www\.)\S+/g, ' ');
}

/**
 * The analyzed search fields of one chunk: what the lexical index stores.
 * - title: the publication's title (publication-level, in every chunk);
 * - headings: the chunk's section path and the publication's description;
 * - body: the chunk's text without link targets.
 */
export function lexicalFields(
  doc: { title: string; description: string; breadcrumb: string[] },
  chunk: ChunkDraft,
): LexicalFields {
  return {
    title: analyze(doc.title).join(' '),
    headings: analyze([...chunk.path, doc.description].join(' \n ')).join(' '),
    body: analyze(searchableText(chunk.text)).join(' '),
  };
}
