import { describe, expect, it } from 'vitest';
import { makePdf } from '../../../../test/fixtures/files/make.js';
import { parseFile } from './index.js';
import { unwrapLines, wrapWidth } from './unwrap.js';

const body = (sections: { path: string[]; markdown: string }[]) =>
  sections.map((s) => s.markdown).join('\n\n');

describe('hard-wrapped text joined into paragraphs', () => {
  it('TXT: sentences cut at ~70 columns are whole again; lists, labels, addresses and tables keep their lines', async () => {
    const txt = [
      'AIDE AU PERMIS DE CONDUIRE',
      '',
      'Le montant de l’aide est fixé en fonction du quotient familial du foyer de',
      'rattachement du demandeur, selon le barème voté par le conseil municipal',
      'le 23 juin 2025. Les dossiers incomplets ne sont pas examinés par la',
      'commission.',
      '',
      'Mairie annexe du Bourg-Neuf',
      '3 place du Marché',
      'Tél. 02 61 91 40 30',
      '',
      'Pièces à fournir :',
      '- une pièce d’identité en cours de validité, ou à défaut un titre de',
      '  séjour ;',
      '- un justificatif de domicile de moins de 3 mois.',
      'Montant : 500 euros pour un quotient familial inférieur ou égal à 800.',
      'Versement : à l’auto-école, sur facture.',
      '',
      'Tranche      Quotient familial      Tarif',
      'A            0 à 450                1,00',
    ].join('\n');
    const parsed = await parseFile({ bytes: Buffer.from(txt, 'utf8'), fileName: 'aide.txt' });
    const text = body(parsed.sections);
    expect(text).toContain(
      'Le montant de l’aide est fixé en fonction du quotient familial du foyer de rattachement du demandeur, selon le barème voté par le conseil municipal le 23 juin 2025. Les dossiers incomplets ne sont pas examinés par la commission.',
    );
    expect(text).toContain('Mairie annexe du Bourg-Neuf\n3 place du Marché\nTél. 02 61 91 40 30');
    expect(text).toContain(
      'Pièces à fournir :\n- une pièce d’identité en cours de validité, ou à défaut un titre de séjour ;\n- un justificatif de domicile de moins de 3 mois.\nMontant : 500 euros',
    );
    expect(text).toContain('800.\nVersement : à l’auto-école, sur facture.');
    expect(text).toContain(
      'Tranche      Quotient familial      Tarif\nA            0 à 450                1,00',
    );
  });

  it('PDF: words hyphenated at the line end are made whole, compounds keep their hyphen', async () => {
    const pdf = await makePdf([
      [
        { text: 'Procédure de domiciliation', size: 18 },
        { text: '' },
        { text: 'La domiciliation permet à une personne sans domicile stable de dispo-' },
        { text: 'ser d’une adresse pour recevoir son courrier et faire valoir ses droits' },
        { text: 'auprès des administrations. La demande est déposée au CCAS de Saint-' },
        { text: 'Aubin, qui répond au plus tard quinze jours après l’entretien, peut-' },
        { text: 'être plus tôt lorsque le dossier est complet et que la situation de' },
        { text: 'la personne est connue du service social de la commune concernée.' },
      ],
    ]);
    const parsed = await parseFile({ bytes: pdf, fileName: 'domiciliation.pdf' });
    expect(body(parsed.sections)).toBe(
      'La domiciliation permet à une personne sans domicile stable de disposer d’une adresse pour recevoir son courrier et faire valoir ses droits auprès des administrations. La demande est déposée au CCAS de Saint-Aubin, qui répond au plus tard quinze jours après l’entretien, peut-être plus tôt lorsque le dossier est complet et que la situation de la personne est connue du service social de la commune concernée.',
    );
  });

  it('Markdown: a wrapped paragraph and list item are joined, a hard break is kept', async () => {
    const md = [
      '# Réclamations',
      '',
      'Toute réclamation est enregistrée dans le registre des réclamations dans un',
      'délai de deux jours ouvrés après sa réception par le service concerné.',
      '',
      '- l’accusé de réception est envoyé sous trois jours ouvrés, avec le numéro',
      '  de la réclamation ;',
      '- la réponse est signée par le chef de service.',
      '',
      'Adresse :  ',
      '2 place de l’Hôtel-de-Ville',
    ].join('\n');
    const parsed = await parseFile({ bytes: Buffer.from(md, 'utf8'), fileName: 'reclamations.md' });
    const text = body(parsed.sections);
    expect(text).toContain('dans un délai de deux jours ouvrés après sa réception par le service concerné.');
    expect(text).toContain('sous trois jours ouvrés, avec le numéro de la réclamation ;\n- la réponse');
    expect(text).toContain('Adresse :\n2 place');
  });

  it('an e-mail: wrapped lines joined, quoted lines joined among themselves, headers kept', async () => {
    const mail = [
      'De : Service Population <population@mairie.example>',
      'Objet : Rendez-vous carte d’identité',
      '',
      'Bonjour Madame, votre rendez-vous pour le dépôt de la demande de carte',
      'd’identité est fixé au mardi 14 octobre à 9h15, à l’hôtel de ville, bureau',
      '4. Merci de vous munir de votre numéro de pré-demande.',
      '',
      '> Bonjour, je souhaiterais refaire ma carte d’identité qui expire le mois',
      '> prochain. Pouvez-vous me proposer un créneau ?',
    ].join('\n');
    const parsed = await parseFile({ bytes: Buffer.from(mail, 'utf8'), fileName: 'courriel.txt' });
    const text = body(parsed.sections);
    expect(text).toContain('De : Service Population <population@mairie.example>\nObjet : Rendez-vous');
    expect(text).toContain(
      'Bonjour Madame, votre rendez-vous pour le dépôt de la demande de carte d’identité est fixé au mardi 14 octobre à 9h15, à l’hôtel de ville, bureau 4. Merci de vous munir de votre numéro de pré-demande.',
    );
    expect(text).toContain(
      '> Bonjour, je souhaiterais refaire ma carte d’identité qui expire le mois prochain. Pouvez-vous me proposer un créneau ?',
    );
  });

  it('a hyphenated word seen whole elsewhere in the document is joined, one seen hyphenated keeps it', () => {
    const lines = ['Le dispositif est ouvert aux jeunes de la commune, et le grand-', 'parent peut signer.'];
    expect(unwrapLines(lines, wrapWidth(lines), 'un grand-parent')).toBe(
      'Le dispositif est ouvert aux jeunes de la commune, et le grand-parent peut signer.',
    );
    expect(unwrapLines(lines, wrapWidth(lines), '')).toBe(
      'Le dispositif est ouvert aux jeunes de la commune, et le grandparent peut signer.',
    );
  });
});
