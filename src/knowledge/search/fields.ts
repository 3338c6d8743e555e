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

/** Analyzed terms of the anchors of links to a publication, once each, except its title's own. */
export function anchorTerms(title: string, anchors: string[]): string[] {
  const own = new Set(analyze(title));
  return [...new Set(anchors.flatMap((a) => analyze(a)))].filter((t) => !own.has(t));
}

/**
 * The analyzed search fields of one chunk: what the lexical index stores.
 * - title: the publication's title (publication-level, in every chunk);
 * - headings: the chunk's section path, the publication's description and the words of the links
 *   other publications make to it (anchor text) that its title does not already hold;
 * - body: the chunk's text without link targets.
 */
export function lexicalFields(
  doc: { title: string; description: string; breadcrumb: string[] },
  chunk: ChunkDraft,
  anchors: string[] = [],
): LexicalFields {
  const headings = analyze([...chunk.path, doc.description].join(' \n ')).join(' ');
  const extra = anchors.length ? anchorTerms(doc.title, anchors).join(' ') : '';
  return {
    title: analyze(doc.title).join(' '),
    headings: extra ? `${headings} ${extra}` : headings,
    body: analyze(searchableText(chunk.text)).join(' '),
  };
}
