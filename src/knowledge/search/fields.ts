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
 * - headings: the chunk's section path and the words of the links other publications make to it
 *   (anchor text) that its title does not already hold;
 * - body: the publication's description, then the chunk's text without link targets. The
 *   description is read as text, not as a heading: weighed like a heading it outranked the
 *   passages' own words (docs/adr/0002).
 */
export function lexicalFields(
  doc: { title: string; description: string; breadcrumb: string[] },
  chunk: ChunkDraft,
  anchors: string[] = [],
): LexicalFields {
  const headings = analyze(chunk.path.join(' \n ')).join(' ');
  const extra = anchors.length ? anchorTerms(doc.title, anchors).join(' ') : '';
  return {
    title: analyze(doc.title).join(' '),
    headings: extra ? `${headings} ${extra}` : headings,
    body: analyze(`${doc.description} \n ${searchableText(chunk.text)}`).join(' '),
  };
}
