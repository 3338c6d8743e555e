/**
 * The body of a publication, walked in document order into sections: chapters, sub-chapters,
 * cases and situations become headings; the trailing blocks (where to go, online services,
 * references, related pages) get their own top-level sections.
 */
import type { Section } from '../../model.js';
import { block, callout, flat, notice, annex, titleOf, cerfaSuffix } from './blocks.js';
import { inline, internalLink, link, type RenderContext } from './inline.js';
import { child, elements, textOf, type XElement } from './tree.js';
import { SectionWriter } from './writer.js';
import { publicationUrl, toAudience } from './links.js';

const HEADED = new Set(['Chapitre', 'SousChapitre', 'Cas', 'Situation']);
const THROUGH = new Set([
  'Texte',
  'Introduction',
  'FragmentConditionne',
  'Contenu',
  'ContenuIllustre',
  'BlocCas',
  'ListeSituations',
]);

/** Fixed top-level sections, by element name. */
const TOP_SECTIONS: Record<string, string> = {
  OuSAdresser: "Où s'adresser",
  OuSAdresserSupport: "Où s'adresser",
  ServiceEnLigne: 'Services en ligne et formulaires',
  Reference: 'Textes de référence',
  PourEnSavoirPlus: 'Pour en savoir plus',
  LienExterneCommente: 'Liens utiles',
  VoirAussi: 'Voir aussi',
  FicheLiee: 'Voir aussi',
  QuestionReponse: 'Questions ? Réponses !',
  CommentFaireSi: 'Comment faire si…',
  ServiceEnLigneAlternatif: 'Autres services en ligne',
};

/** Walks a container whose headings open sections. */
function walk(el: XElement, w: SectionWriter, ctx: RenderContext): void {
  for (const c of el.children) {
    if (c.type === 'text') {
      w.add(c.text.replace(/\s+/g, ' ').trim());
    } else if (HEADED.has(c.name)) {
      w.within(titleOf(c, ctx), () => walk(c, w, ctx));
    } else if (THROUGH.has(c.name)) {
      walk(c, w, ctx);
    } else if (c.name !== 'Titre') {
      for (const b of c.name === 'Paragraphe' ? [block(c, ctx)] : flatOne(c, ctx)) w.add(b);
    }
  }
}

/** One child rendered as flat blocks (wrapping it so `flat` sees it as a child). */
function flatOne(el: XElement, ctx: RenderContext): string[] {
  return flat({ type: 'element', name: '#wrap', attributes: {}, children: [el] }, ctx);
}

/** A link to another publication listed by id (Fiche, Dossier, QuestionReponse…). */
function pageLink(el: XElement, ctx: RenderContext): string {
  const id = el.attributes.ID;
  const title = child(el, 'Titre') ? titleOf(el, ctx) : inline(el, ctx);
  if (!id) return title;
  return link(title || id, publicationUrl(id, toAudience(el.attributes.audience) ?? ctx.audience));
}

function linkList(els: XElement[], ctx: RenderContext): string {
  return els.map((e) => `- ${pageLink(e, ctx)}`).join('\n');
}

function topBlock(el: XElement, ctx: RenderContext): string {
  switch (el.name) {
    case 'Reference':
    case 'PourEnSavoirPlus': {
      const extra = [textOf(child(el, 'Complement')), textOf(child(el, 'Source'))]
        .filter(Boolean)
        .join(' — ');
      return `- ${link(titleOf(el, ctx), el.attributes.URL)}${extra ? ` — ${extra}` : ''}`;
    }
    case 'LienExterneCommente': {
      const a = child(el, 'LienExterne');
      const src = textOf(child(el, 'Source'));
      const comment = flat(child(el, 'Commentaire') ?? { ...el, children: [] }, ctx).join(' ');
      return `- ${a ? link(inline(a, ctx), a.attributes.URL) : ''}${src ? ` — ${src}` : ''}${comment ? ` : ${comment}` : ''}`;
    }
    case 'VoirAussi':
      return linkList(
        elements(el).filter((e) => e.attributes.ID),
        ctx,
      );
    case 'QuestionReponse':
    case 'CommentFaireSi':
    case 'FicheLiee':
    case 'ServiceEnLigneAlternatif':
      return `- ${pageLink(el, ctx)}`;
    default:
      return flatOne(el, ctx).join('\n\n');
  }
}

/** Guided-search tree (`Problematique`/`Branche`) as a nested list. */
function branches(el: XElement, ctx: RenderContext, depth: number): string[] {
  const out: string[] = [];
  const pad = '  '.repeat(depth);
  for (const b of elements(el, 'Branche')) {
    const target = child(b, 'LienInterne');
    const to = target ? ` → ${internalLink(target, inline(target, ctx), ctx)}` : '';
    out.push(`${pad}- ${titleOf(b, ctx)}${to}`);
    const help = child(b, 'Aide');
    if (help) for (const h of flat(help, ctx)) out.push(h.replace(/^/gm, `${pad}  `));
    out.push(...branches(b, ctx, depth + 1));
  }
  return out;
}

/** The service-specific head of an R resource: its access link and Cerfa number. */
function resourceHead(root: XElement, label: string): string {
  const web = child(root, 'LienWeb');
  const kind = root.attributes.type ?? 'Ressource';
  const cerfa = textOf(child(root, 'NumeroCerfa'));
  const source = textOf(child(web ?? root, 'Source'));
  return `**${kind} :** ${link(label, web?.attributes.URL)}${cerfaSuffix(cerfa)}${source ? ` — ${source}` : ''}`;
}

export function renderBody(
  root: XElement,
  ctx: RenderContext,
  label: string,
): { markdown: string; sections: Section[] } {
  const w = new SectionWriter();
  const resource = root.name === 'ServiceComplementaire';
  if (resource) w.add(resourceHead(root, label));
  // The warning and the introduction open the body, wherever the XML puts them (dossiers list
  // their pages first): top-level text after a heading would read as part of that heading.
  const FIRST = new Set(['Avertissement', 'Introduction']);
  const ordered = [
    ...elements(root).filter((c) => FIRST.has(c.name)),
    ...elements(root).filter((c) => !FIRST.has(c.name)),
  ];
  for (const c of ordered) {
    const fixed = TOP_SECTIONS[c.name];
    if (fixed) {
      w.at([fixed], () => w.addItem(topBlock(c, ctx)));
      continue;
    }
    switch (c.name) {
      case 'Avertissement':
        w.at([], () => w.add(callout(c, ctx)));
        break;
      case 'Introduction':
        w.at([], () => walk(c, w, ctx));
        break;
      case 'Texte':
      case 'ListeSituations':
      case 'BlocCas':
        w.at([], () => walk(c, w, ctx));
        break;
      case 'NoticeLiee':
        w.at([], () => w.addItem(`- ${notice(c, ctx)}`));
        break;
      case 'ServiceEnLigneAnnexe':
        w.at([], () => w.addItem(`- ${annex(c, ctx)}`));
        break;
      case 'SousDossier':
      case 'SousTheme':
        w.at([titleOf(c, ctx)].filter(Boolean), () =>
          w.add(
            linkList(
              elements(c).filter((e) => e.attributes.ID),
              ctx,
            ),
          ),
        );
        break;
      case 'Fiche':
      case 'Dossier':
        if (!resource) w.at([], () => w.addItem(`- ${pageLink(c, ctx)}`));
        break;
      case 'Problematiques':
        for (const p of elements(c, 'Problematique')) {
          const target = child(p, 'LienInterne');
          const lines = target
            ? [`- ${internalLink(target, inline(target, ctx), ctx)}`]
            : branches(p, ctx, 0);
          w.at([titleOf(p, ctx)].filter(Boolean), () => w.add(lines.join('\n')));
        }
        break;
      case 'Questionnaire':
        w.at([], () => w.add(flat(child(c, 'Description') ?? { ...c, children: [] }, ctx).join('\n\n')));
        break;
      default:
        break;
    }
  }
  return w.result();
}
