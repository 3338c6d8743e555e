/**
 * Block rendering without headings: paragraphs, lists, tables, callouts, where-to-go, online
 * services. Used inside list items, callouts and addresses, and for every leaf block of the body.
 */
import { inline, internalLink, link, type RenderContext } from './inline.js';
import { child, elements, textOf, type XElement } from './tree.js';
import { table } from './table.js';

const CALLOUT_LABELS: Record<string, string> = {
  ASavoir: 'À savoir',
  ANoter: 'À noter',
  Attention: 'Attention',
  Rappel: 'Rappel',
  Avertissement: 'Avertissement',
};
/** Containers whose children are blocks: rendered through. */
const CONTAINERS = new Set([
  'Texte',
  'Introduction',
  'FragmentConditionne',
  'Contenu',
  'ContenuIllustre',
  'Description',
  'Aide',
  'Commentaire',
  'Resume',
  'Item',
  'Cellule',
]);
/** Logic, media and glossary elements: nothing for a reader of the body. */
const SKIPPED = new Set([
  'Condition',
  'SiSelectionne',
  'Image',
  'Illustration',
  'TitreAlternatif',
  'Titre',
  'Source',
  'PivotLocal',
  'RessourceWeb',
  'Colonne',
  'Definition',
  'Abreviation',
  'Complement',
]);
const SERVICE_LABELS: Record<string, string> = {
  'Téléservice personnalisé sur SP': 'Téléservice',
  'Modèle de document': 'Modèle de document',
};

export function titleOf(el: XElement, ctx: RenderContext): string {
  return inline(child(el, 'Titre'), ctx);
}

export function cerfaSuffix(n: string | undefined): string {
  return n ? ` (cerfa n°${n.trim()})` : '';
}

function indent(block: string, pad: string): string {
  return block
    .split('\n')
    .map((l, i) => (i === 0 || l === '' ? l : pad + l))
    .join('\n');
}

export function list(el: XElement, ctx: RenderContext): string {
  const numbered = el.attributes.type === 'numero';
  return elements(el, 'Item')
    .map((item, i) => {
      const marker = numbered ? `${i + 1}. ` : '- ';
      const body = flat(item, ctx);
      if (body.length === 0) return '';
      const pad = ' '.repeat(marker.length);
      return marker + body.map((b) => indent(b, pad)).join(`\n${pad}`);
    })
    .filter(Boolean)
    .join('\n');
}

export function callout(el: XElement, ctx: RenderContext): string {
  const title = titleOf(el, ctx).replace(/\s*:\s*$/, '');
  const body = flat(el, ctx);
  if (el.name === 'Avertissement') body.unshift(`**Avertissement${title ? ` : ${title}` : ''}**`);
  const head = el.name === 'Avertissement' ? '' : `**${title || CALLOUT_LABELS[el.name] || el.name} :**`;
  if (!head) return body.map((b) => b.replace(/^/gm, '> ').replace(/^> $/gm, '>')).join('\n>\n');
  const lines =
    body.length > 0 && !/^([-|>]|\d+\. |\*\*)/.test(body[0])
      ? [`${head} ${body[0]}`, ...body.slice(1)]
      : [head, ...body];
  return lines.map((b) => b.replace(/^/gm, '> ').replace(/^> $/gm, '>')).join('\n>\n');
}

/** "Où s'adresser" block: the place (linked to its directory page), its source and details. */
export function whereToGo(el: XElement, ctx: RenderContext): string {
  const title = titleOf(el, ctx);
  const url = child(el, 'RessourceWeb')?.attributes.URL;
  const source = textOf(child(el, 'Source'));
  const head = `**Où s'adresser :** ${link(title || 'service compétent', url)}${source ? ` — ${source}` : ''}`;
  const details = [...elements(el, 'Complement').map((c) => inline(c, ctx)), ...flat(el, ctx)];
  return [head, ...details].filter(Boolean).join('\n\n');
}

/** An online service, form or model letter, with its Cerfa number, notices and annexes. */
export function onlineService(el: XElement, ctx: RenderContext): string {
  const type = el.attributes.type ?? 'Service en ligne';
  const label = SERVICE_LABELS[type] ?? type;
  const source = textOf(child(el, 'Source'));
  const lines = [
    `- **${label} :** ${link(titleOf(el, ctx), el.attributes.URL)}${cerfaSuffix(el.attributes.numerocerfa)}` +
      (source ? ` — ${source}` : ''),
  ];
  const intro = child(el, 'Introduction');
  if (intro) for (const p of flat(intro, ctx)) lines.push(indent(`  ${p}`, '  '));
  for (const n of elements(el, 'NoticeLiee')) lines.push(`  - ${notice(n, ctx)}`);
  for (const a of elements(el, 'ServiceEnLigneAnnexe')) lines.push(`  - ${annex(a, ctx)}`);
  return lines.join('\n');
}

export function notice(el: XElement, ctx: RenderContext): string {
  const kind = el.attributes.type ?? 'Notice';
  const text = inline(el, ctx);
  return `${kind} : ${link(text || kind, el.attributes.URL)}${cerfaSuffix(el.attributes.numerocerfa)}`;
}

export function annex(el: XElement, ctx: RenderContext): string {
  const kind = el.attributes.type ?? 'Annexe';
  const web = child(el, 'LienWeb');
  const text = inline(child(el, 'Texte'), ctx);
  return `${kind} : ${link(titleOf(el, ctx), web?.attributes.URL)}${cerfaSuffix(el.attributes.numerocerfa)}${text ? ` — ${text}` : ''}`;
}

/** One block element (not a heading container) as Markdown; '' when it shows nothing. */
export function block(el: XElement, ctx: RenderContext): string {
  switch (el.name) {
    case 'Paragraphe':
      return inline(el, ctx);
    case 'Liste':
      return list(el, ctx);
    case 'Tableau':
      return table(el, ctx);
    case 'OuSAdresser':
    case 'OuSAdresserSupport':
      return whereToGo(el, ctx);
    case 'ServiceEnLigne':
      return onlineService(el, ctx);
    case 'LienInterne':
      return internalLink(el, inline(el, ctx), ctx);
    default:
      if (el.name in CALLOUT_LABELS) return callout(el, ctx);
      return '';
  }
}

/** The blocks of a container, headings turned into bold labels (nothing is a section here). */
export function flat(el: XElement, ctx: RenderContext): string[] {
  const out: string[] = [];
  for (const c of el.children) {
    if (c.type === 'text') {
      if (c.text.trim()) out.push(c.text.replace(/\s+/g, ' ').trim());
      continue;
    }
    if (SKIPPED.has(c.name)) continue;
    if (c.name === 'Chapitre' || c.name === 'SousChapitre' || c.name === 'Situation' || c.name === 'Cas') {
      const label = titleOf(c, ctx);
      const prefix = c.name === 'Cas' ? 'Cas : ' : c.name === 'Situation' ? 'Situation : ' : '';
      if (label) out.push(`**${prefix}${label}**`);
      out.push(...flat(c, ctx));
    } else if (CONTAINERS.has(c.name) || c.name === 'BlocCas' || c.name === 'ListeSituations') {
      out.push(...flat(c, ctx));
    } else {
      const b = block(c, ctx);
      if (b) out.push(b);
      else if (!(c.name in CALLOUT_LABELS)) out.push(...flat(c, ctx));
    }
  }
  return out.filter((b) => b.trim() !== '');
}
