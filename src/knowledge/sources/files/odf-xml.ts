/**
 * OpenDocument (ODT, ODS) archives: the zip is inflated with the same bomb guard as DOCX, then
 * `content.xml` and `meta.xml` are read with xml-js into a small element tree. A password-protected
 * document (its manifest declares encryption) is refused with a clear message.
 */
import { xml2js } from 'xml-js';
import { AppError } from '../../../shared/errors.js';
import { inflateArchiveSafely } from './zip-guard.js';

export interface OdfElement {
  type: 'element';
  name: string;
  attributes: Record<string, string>;
  elements: OdfNode[];
}
export type OdfNode = OdfElement | { type: 'text'; text: string };

export interface OdfPackage {
  content: OdfElement;
  /** `dc:title` of meta.xml, when present. */
  title?: string;
}

export function readOdfPackage(bytes: Buffer, fileName: string, what: string): OdfPackage {
  const entries = inflateArchiveSafely(bytes, fileName);
  const manifest = entries.get('META-INF/manifest.xml')?.toString('utf8') ?? '';
  if (/<manifest:encryption-data[\s>]/.test(manifest)) {
    throw new AppError(
      'unprocessable',
      `Le fichier « ${fileName} » est protégé par un mot de passe : enregistrez-le sans mot de passe pour l'importer.`,
    );
  }
  const content = entries.get('content.xml');
  if (!content) {
    throw new AppError(
      'unprocessable',
      `Le fichier « ${fileName} » n'est pas ${what} valide (content.xml absent).`,
    );
  }
  const root = parseXml(content, fileName, what);
  const meta = entries.get('meta.xml');
  const title = meta ? textOf(findFirst(parseXml(meta, fileName, what), 'dc:title')).trim() : '';
  return { content: root, title: title || undefined };
}

function parseXml(xml: Buffer, fileName: string, what: string): OdfElement {
  try {
    const doc = xml2js(xml.toString('utf8'), {
      compact: false,
      captureSpacesBetweenElements: true,
      ignoreDeclaration: true,
      ignoreDoctype: true,
      ignoreInstruction: true,
      ignoreComment: true,
      nativeType: false,
    }) as { elements?: OdfNode[] };
    const root = (doc.elements ?? []).find((n): n is OdfElement => n.type === 'element');
    if (!root) throw new Error('no root element');
    return normalise(root);
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError(
      'unprocessable',
      `Le fichier « ${fileName} » est ${what} endommagé : il ne peut pas être lu.`,
      {
        cause,
      },
    );
  }
}

/** xml-js omits empty `elements` / `attributes` and may give CDATA nodes: one shape everywhere. */
function normalise(node: OdfElement): OdfElement {
  const out: OdfElement = {
    type: 'element',
    name: node.name,
    attributes: node.attributes ?? {},
    elements: [],
  };
  for (const child of node.elements ?? []) {
    const c = child as unknown as { type: string; text?: unknown; cdata?: unknown };
    if (c.type === 'element') out.elements.push(normalise(child as OdfElement));
    else if (c.type === 'text' || c.type === 'cdata')
      out.elements.push({ type: 'text', text: String(c.text ?? c.cdata ?? '') });
  }
  return out;
}

export function children(el: OdfElement | undefined, name?: string): OdfElement[] {
  if (!el) return [];
  return el.elements.filter((n): n is OdfElement => n.type === 'element' && (!name || n.name === name));
}

export function findFirst(el: OdfElement | undefined, name: string): OdfElement | undefined {
  if (!el) return undefined;
  for (const child of children(el)) {
    if (child.name === name) return child;
    const found = findFirst(child, name);
    if (found) return found;
  }
  return undefined;
}

/** Inline text of a paragraph: spans, links, `text:s` spaces, tabs and line breaks; notes left out. */
export function textOf(el: OdfElement | undefined): string {
  if (!el) return '';
  let out = '';
  for (const node of el.elements) {
    if (node.type === 'text') {
      out += node.text;
      continue;
    }
    switch (node.name) {
      case 'text:s':
        out += ' '.repeat(Math.min(100, Math.max(1, Number(node.attributes['text:c'] ?? 1) || 1)));
        break;
      case 'text:tab':
        out += '\t';
        break;
      case 'text:line-break':
        out += '\n';
        break;
      case 'text:note':
      case 'office:annotation':
      case 'office:annotation-end':
      case 'text:bookmark':
      case 'text:bookmark-start':
      case 'text:bookmark-end':
        break;
      default:
        out += textOf(node);
    }
  }
  return out;
}

/** Whitespace of a paragraph collapsed, line breaks kept as spaces. */
export function cleanText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
