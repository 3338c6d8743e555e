/** Metadata gathered from a publication tree: subject, relations, Cerfa numbers, services, laws. */
import { collapse, elements, child, indexByName, textOf, type XElement } from './tree.js';

export interface OnlineService {
  id: string | null;
  title: string;
  type: string;
  url: string | null;
  cerfa: string | null;
}
export interface LegalReference {
  id: string | null;
  title: string;
  url: string | null;
}

const ID = /^[FNR]\d+$/;

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export function extractMetadata(root: XElement, id: string): Record<string, unknown> {
  const index = indexByName(root);
  const all = (name: string): XElement[] => index.get(name) ?? [];
  const related: string[] = [];
  for (const rel of elements(root, 'dc:relation')) {
    for (const token of textOf(rel).split(/[\s,]+/)) if (ID.test(token)) related.push(token);
  }
  for (const l of all('LienInterne')) {
    const target = l.attributes.LienPublication;
    if (target && ID.test(target) && !['Sigle', 'Acronyme'].includes(l.attributes.type ?? ''))
      related.push(target);
  }
  for (const name of ['VoirAussi', 'QuestionReponse', 'CommentFaireSi', 'FicheLiee']) {
    for (const e of elements(root, name)) {
      const ids = name === 'VoirAussi' ? elements(e).map((x) => x.attributes.ID) : [e.attributes.ID];
      for (const x of ids) if (x && ID.test(x)) related.push(x);
    }
  }

  const services: OnlineService[] = [];
  const seen = new Set<string>();
  for (const s of all('ServiceEnLigne')) {
    const key = s.attributes.ID ?? s.attributes.URL ?? textOf(child(s, 'Titre'));
    if (seen.has(key)) continue;
    seen.add(key);
    services.push({
      id: s.attributes.ID ?? null,
      title: textOf(child(s, 'Titre')),
      type: s.attributes.type ?? '',
      url: s.attributes.URL ?? null,
      cerfa: s.attributes.numerocerfa ?? null,
    });
  }

  const cerfa = uniq(
    [
      ...elements(root, 'NumeroCerfa').map((n) => textOf(n)),
      ...elements(root, 'AutreNumero').map((n) => textOf(n)),
      ...['ServiceEnLigne', 'NoticeLiee', 'ServiceEnLigneAnnexe'].flatMap((n) =>
        all(n).map((e) => e.attributes.numerocerfa ?? ''),
      ),
    ]
      .map(collapse)
      .filter((n) => n !== ''),
  );

  const references: LegalReference[] = elements(root, 'Reference').map((r) => ({
    id: r.attributes.ID ?? null,
    title: textOf(child(r, 'Titre')),
    url: r.attributes.URL ?? null,
  }));

  const glossary = [...elements(root, 'Definition'), ...elements(root, 'Abreviation')].map((d) => ({
    term: textOf(child(d, 'Titre')),
    definition: textOf(child(d, 'Texte')),
  }));

  const theme = child(root, 'Theme');
  const parent = child(root, 'DossierPere') ?? child(root, 'Dossier');
  const meta: Record<string, unknown> = {
    type: root.attributes.type ?? null,
    subject: textOf(child(root, 'dc:subject')) || null,
    theme: theme ? { id: theme.attributes.ID ?? null, title: textOf(child(theme, 'Titre')) } : null,
    parentDossier: parent?.attributes.ID ?? null,
    relatedIds: uniq(related).filter((x) => x !== id),
    cerfa,
    onlineServices: services,
    references,
    glossary,
    whereToGo: uniq(
      all('OuSAdresser')
        .map((o) => textOf(child(o, 'Titre')))
        .filter(Boolean),
    ),
  };
  const major = root.attributes.dateDerniereModificationImportante;
  if (major) meta.majorChangeDate = major;
  return meta;
}
