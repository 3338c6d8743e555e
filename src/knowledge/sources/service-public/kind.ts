/** Publication type (root `type` attribute, `dc:type`) → the model's `DocumentKind`. */
import type { DocumentKind } from '../../model.js';

const BY_TYPE: [RegExp, DocumentKind][] = [
  [/question-réponse/i, 'question-reponse'],
  [/sous-dossier/i, 'sous-dossier'],
  [/^dossier/i, 'dossier'],
  [/^th[eè]me/i, 'theme'],
  [/^formulaire/i, 'formulaire'],
  [/^t[ée]l[ée]service/i, 'teleservice'],
  [/^(simulateur|module de calcul)/i, 'module-de-calcul'],
  [/^(mod[eè]le|lettre)/i, 'lettre-type'],
  [/^(fiche|comment faire si|recherche guid[ée]e)/i, 'fiche'],
];

export function kindOf(id: string, type: string, dcType: string): DocumentKind {
  for (const t of [type, dcType]) {
    for (const [re, kind] of BY_TYPE) if (re.test(t.trim())) return kind;
  }
  if (id.startsWith('R')) return 'ressource';
  if (id.startsWith('N')) return 'dossier';
  return 'fiche';
}
