/** A raw DILA publication (package JSON or zip XML) → the `SourceDocument` model. */
import type { Audience, SourceDocument } from '../../model.js';
import { renderBody } from './body.js';
import { kindOf } from './kind.js';
import { publicationUrl, toAudience } from './links.js';
import { extractMetadata } from './metadata.js';
import { child, elements, parseJsonTree, parseXmlTree, rootOf, textOf, type XElement } from './tree.js';
import type { RawPublication } from './types.js';

const ROOTS = new Set(['Publication', 'ServiceComplementaire']);
const AUDIENCE_ORDER: Audience[] = ['particuliers', 'professionnels', 'associations'];

function readRoot(raw: RawPublication): XElement {
  let doc: unknown;
  try {
    const text = raw.bytes.toString('utf8').replace(/^\uFEFF/, '');
    doc = raw.format === 'xml' ? parseXmlTree(text) : parseJsonTree(text);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`Publication ${raw.externalId} illisible (${raw.origin}) : ${why}`, { cause: e });
  }
  const root = rootOf(doc);
  if (!root || !ROOTS.has(root.name)) {
    throw new Error(
      `Publication ${raw.externalId} illisible (${raw.origin}) : élément racine Publication absent.`,
    );
  }
  return root;
}

/** Breadcrumb from `FilDAriane` (without the page itself), else audience › theme. */
function breadcrumbOf(root: XElement, id: string, audience: Audience): string[] {
  const trail = child(root, 'FilDAriane') ?? child(root, "Fil d'Ariane");
  const levels = trail ? elements(trail, 'Niveau') : [];
  const label = audience[0].toUpperCase() + audience.slice(1);
  if (levels.length > 0) {
    return levels
      .filter((n) => n.attributes.ID !== id)
      .map((n) => (toAudience(n.attributes.ID) ? label : textOf(n)))
      .filter(Boolean);
  }
  const theme = textOf(child(child(root, 'Theme') ?? root, 'Titre'));
  return theme ? [label, theme] : [label];
}

export function parsePublication(raw: RawPublication): SourceDocument {
  const root = readRoot(raw);
  const id = raw.externalId;
  const title = textOf(child(root, 'dc:title'));
  if (!title) throw new Error(`Publication ${id} illisible (${raw.origin}) : titre (dc:title) absent.`);

  const declared = elements(root, 'Audience').map((a) => toAudience(textOf(a)));
  const audiences = AUDIENCE_ORDER.filter(
    (a) => a === raw.audience || raw.audiences?.includes(a) || declared.includes(a),
  );
  const audience = raw.audience;
  const date = /\d{4}-\d{2}-\d{2}/.exec(textOf(child(root, 'dc:date')))?.[0] ?? null;
  const url = root.attributes.spUrl?.trim() || publicationUrl(id, audience);
  const trail = child(root, 'FilDAriane');
  const self = trail && elements(trail, 'Niveau').find((n) => n.attributes.ID === id);
  const label = (self && textOf(self)) || title;
  const { markdown, sections } = renderBody(root, { audience }, label);

  return {
    externalId: id,
    title,
    description: textOf(child(root, 'dc:description')),
    url,
    kind: kindOf(id, root.attributes.type ?? '', textOf(child(root, 'dc:type'))),
    audience,
    breadcrumb: breadcrumbOf(root, id, audience),
    date,
    markdown,
    sections,
    metadata: { ...extractMetadata(root, id), audiences, format: raw.format },
  };
}
