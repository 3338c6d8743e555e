/** Inline rendering: text runs, links, emphasis — everything that lives inside a paragraph. */
import type { Audience } from '../../model.js';
import { publicationUrl, toAudience } from './links.js';
import { collapse, type XElement, type XNode } from './tree.js';

export interface RenderContext {
  /** Audience of the document, for links that do not name theirs. */
  audience: Audience;
}

/** Link types that point to a glossary entry, not a page worth linking. */
const NO_LINK_TYPES = new Set(['Sigle', 'Acronyme', 'Définition de glossaire']);
/** Elements that carry logic or media, never text for a reader. */
const SILENT = new Set(['Condition', 'SiSelectionne', 'Image', 'Illustration', 'TitreAlternatif']);

function escapeLinkText(s: string): string {
  return s.replace(/([[\]])/g, '\\$1');
}

export function link(text: string, url: string | undefined): string {
  const t = collapse(text);
  if (!url) return t;
  return `[${escapeLinkText(t || url)}](${url.trim().replace(/ /g, '%20')})`;
}

export function internalLink(el: XElement, text: string, ctx: RenderContext): string {
  const id = el.attributes.LienPublication ?? el.attributes.ID;
  if (!id || NO_LINK_TYPES.has(el.attributes.type ?? '')) return text;
  const audience = toAudience(el.attributes.audience) ?? ctx.audience;
  return link(text || id, publicationUrl(id, audience));
}

function strong(s: string): string {
  const t = s.trim();
  if (!t) return s;
  const lead = /^\s/.test(s) ? ' ' : '';
  const trail = /\s$/.test(s) ? ' ' : '';
  return `${lead}**${t}**${trail}`;
}

/** Elements glued to the previous word (1<Exposant>er</Exposant>). */
const GLUED = new Set(['Exposant', 'Indice']);

/**
 * Joins inline children. xml-js drops whitespace-only text between elements, so two adjacent
 * elements (`<Valeur>277 €</Valeur> <LienInterne>TTC</LienInterne>`) get their space back here.
 */
function joinInline(children: XNode[], ctx: RenderContext): string {
  let out = '';
  let prev: XNode | null = null;
  for (const c of children) {
    if (prev?.type === 'element' && c.type === 'element' && !GLUED.has(c.name)) out += ' ';
    out += raw(c, ctx);
    prev = c;
  }
  return out;
}

function raw(node: XNode, ctx: RenderContext): string {
  if (node.type === 'text') return node.text;
  const inner = (): string => joinInline(node.children, ctx);
  switch (node.name) {
    case 'LienExterne':
      return link(inner(), node.attributes.URL);
    case 'LienInterne':
      return internalLink(node, collapse(inner()), ctx);
    case 'MiseEnEvidence':
      return strong(inner());
    case 'Paragraphe':
    case 'Item':
      return ` ${inner()} `;
    case 'Liste':
      return node.children.map((c) => ` • ${raw(c, ctx).trim()}`).join('');
    default:
      return SILENT.has(node.name) ? '' : inner();
  }
}

/** The children of `el` as one line of Markdown. */
export function inline(el: XElement | undefined, ctx: RenderContext): string {
  if (!el) return '';
  return collapse(joinInline(el.children, ctx)).replace(/(\]\([^)\s]*\)|\*\*) ([.,])/g, '$1$2');
}
