/**
 * The extractive answer's rules, on the commune's real files (parsed as at ingestion) and on real
 * fiches of the built-in corpus (found by the real search): what the question asks (amount, delay,
 * steps, place and hours, records), and what an extract never does (a sentence twice, navigation,
 * a title or a table header as the answer, a stray `**`, one case quoted as if it were general).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerDefects, answerSentences } from '../../test/answer/defects.js';
import { COMMUNE } from '../../test/documents/helpers.js';
import { ensureCorpus } from '../../test/helpers/corpus.js';
import { parseFile } from '../knowledge/sources/files/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/spec.js';
import { searchKnowledge } from '../usecases/search-knowledge.js';
import { extractAnswer } from './extractive.js';
import { toSources, type Source } from './sources.js';

/** A commune file as the answer pipeline sees it: its sections as passages ("(path) text"). */
async function fileSource(name: string, index = 1): Promise<Source> {
  const parsed = await parseFile({ bytes: readFileSync(join(COMMUNE, name)), fileName: name });
  return {
    index,
    id: `doc_${index}`,
    externalId: name,
    title: parsed.title,
    url: null,
    collection: 'col_commune',
    collectionName: 'Mairie',
    local: true,
    date: null,
    stale: false,
    passages: parsed.sections.map((s) =>
      s.path.length ? `(${s.path.join(' › ')}) ${s.markdown}` : s.markdown,
    ),
  };
}

const body = (answer: string) => answer.split('\n').slice(2, -2).join('\n');

describe('extractive answers on the commune files', () => {
  it('an amount question gives the amount of the matching bracket, not a header row', async () => {
    const answer = extractAnswer(
      [await fileSource('aide_permis_conduire.md')],
      "Quel montant d'aide au permis pour un foyer dont le quotient familial est de 750 ?",
    );
    expect(body(answer)).toContain("QF inférieur ou égal à 800 — Montant de l'aide : 500 €");
    expect(body(answer)).not.toContain('300 €');
    // The table's header row is never quoted as an answer.
    expect(answer).not.toMatch(/Quotient familial \(QF\) du foyer ;|Quotient familial \(QF\) du foyer —/);
    expect(answerDefects(answer)).toEqual([]);
  });

  it('a delay question prefers the sentence with a duration', async () => {
    const answer = extractAnswer(
      [await fileSource('procedure_domiciliation.txt')],
      'Sous quel délai la personne reçoit-elle la décision sur sa domiciliation ?',
    );
    expect(body(answer)).toContain("la réponse est donnée au plus tard 15 jours après l'entretien");
  });

  it('a procedure question gives the steps as an ordered list, in the source order', async () => {
    const answer = extractAnswer(
      [await fileSource('procedure_reclamations.md')],
      'Comment traiter une réclamation écrite d’un usager ?',
    );
    const steps = body(answer)
      .split('\n')
      .filter((l) => /^\s+\d+\. /.test(l));
    expect(steps.length).toBeGreaterThanOrEqual(4);
    const order = ['Enregistrement', 'Accusé de réception', 'Attribution', 'Réponse'].map((w) =>
      steps.findIndex((s) => s.includes(w)),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    steps.forEach((s, i) => expect(s.trim().startsWith(`${i + 1}. `)).toBe(true));
  });

  it('a place or hours question gives hours and addresses', async () => {
    const answer = extractAnswer(
      [await fileSource('horaires_mairie_et_annexes.md')],
      "Quels sont les horaires d'ouverture de la mairie annexe du Bourg-Neuf ?",
    );
    expect(body(answer)).toMatch(
      /Mercredi — Horaires : 9h00 – 12h00|Bourg-Neuf ouvre uniquement le mercredi/,
    );
  });

  it('a record set gives the records whose values match the numbers and words of the question', async () => {
    const csv = extractAnswer(
      [await fileSource('tarifs_restauration_periscolaire_2025-2026.csv')],
      'Combien coûte le repas en maternelle pour un quotient familial de 600 ?',
    );
    expect(body(csv)).toContain('Quotient familial : 451 à 700');
    expect(body(csv)).toContain('Repas maternelle : 1,80');
    expect(body(csv)).not.toContain('0 à 450');
    const json = extractAnswer(
      [await fileSource('annuaire_services.json')],
      "Quel est le numéro de l'astreinte technique le week-end ?",
    );
    expect(body(json)).toContain('06 39 98 40 11');
    expect(body(json)).not.toContain('Id :');
  });

  it('quotes no title, no heading in capitals and no stray `**`', async () => {
    const sources = [
      await fileSource('procedure_cni_passeport.md', 1),
      await fileSource('aides_ccas_2025-2026.txt', 2),
      await fileSource('france-services.html', 3),
    ];
    for (const q of [
      'Quelles sont les démarches pour une carte d’identité au service Population ?',
      'Quelles aides le CCAS propose-t-il ?',
      'Quels services à France Services ?',
    ]) {
      const answer = extractAnswer(sources, q);
      for (const s of answerSentences(answer)) {
        for (const src of sources) expect(s.replace(/\.$/, '')).not.toBe(src.title);
        expect(s).toMatch(/\p{Ll}{3}/u);
      }
      expect(answerDefects(answer)).toEqual([]);
    }
  });

  it('says a sentence found in two sources once, citing both', async () => {
    const a = await fileSource('procedure_domiciliation.txt', 1);
    const b = { ...a, index: 2, id: 'doc_2', externalId: 'copie.txt', title: 'Copie de la procédure' };
    const answer = extractAnswer([a, b], 'Combien de temps le courrier non retiré est-il conservé ?');
    expect(answer.match(/conservé 3 mois/g)).toHaveLength(1);
    expect(answer).toContain('[1][2]');
  });
});

let store: Store;
async function fiches(question: string): Promise<Source[]> {
  const hits = await searchKnowledge({ store, query: question, collectionIds: ['service-public'], k: 5 });
  return toSources(hits, new Map([['service-public', 'Service-Public.fr']]), new Set(['service-public']));
}

describe('extractive answers on real fiches', () => {
  beforeAll(async () => {
    store = openSqliteStore(await ensureCorpus());
  }, 600_000);

  it('an amount question quotes an amount; no "Voir aussi", no repeated or cut sentence', async () => {
    const q = 'Combien coûte une carte grise ?';
    const answer = extractAnswer(await fiches(q), q);
    expect(body(answer)).toMatch(/\d[\d  ,.]*\s?(€|euros?)/);
    expect(answerDefects(answer)).toEqual([]);
  });

  it('a delay question quotes a duration', async () => {
    const q = 'Dans quel délai faut-il déclarer une naissance ?';
    const answer = extractAnswer(await fiches(q), q);
    expect(body(answer)).toMatch(/\d+\s?jours/);
  });

  it('a question on the papers to bring gives the list of the fiche', async () => {
    const q = "Quelles pièces fournir pour demander une carte d'identité ?";
    const answer = extractAnswer(await fiches(q), q);
    expect(body(answer)).toMatch(/\n\s+(?:\d+\.|-) \S/);
    expect(answerDefects(answer)).toEqual([]);
  });

  it('related pages, link lists and fiche titles are never quoted', async () => {
    for (const q of [
      'Procuration : comment voter par procuration ?',
      'Perte de la carte Vitale, que faire ?',
    ]) {
      const sources = await fiches(q);
      expect(
        sources.some((s) =>
          s.passages.some((p) => /^\((?:Voir aussi|Questions \? Réponses !|Pour en savoir plus)/.test(p)),
        ),
      ).toBe(true);
      const answer = extractAnswer(sources, q);
      expect(answer).not.toMatch(/voir aussi/i);
      expect(answer).not.toMatch(/https?:\/\//);
      for (const s of answerSentences(answer))
        for (const src of sources) expect(s.replace(/\.$/, '')).not.toBe(src.title);
    }
  });

  it('cases, not a guess: the main situations side by side unless the question names one', async () => {
    const q = 'Quel est le montant du Smic mensuel ?';
    const sources = await fiches(q);
    const answer = extractAnswer(sources, q);
    expect(answer).toContain('selon la situation');
    expect(answer).toMatch(/\*Cas général\*/);
    expect(answer).toMatch(/\*À Mayotte\*/);
    expect(answer).toContain("La réponse dépend de la situation de l'usager");
    const named = 'Quel est le montant du Smic à Mayotte ?';
    const one = extractAnswer(await fiches(named), named);
    expect(one).not.toContain('selon la situation');
  });
});

/** A source written for these tests (not a dev file): one local page with a few sections. */
function pageSource(title: string, sections: [string, string][]): Source {
  return {
    index: 1,
    id: 'doc_1',
    externalId: 'page.md',
    title,
    url: null,
    collection: 'col_x',
    collectionName: 'Mairie',
    local: true,
    date: null,
    stale: false,
    passages: sections.map(([path, text]) => `(${path}) ${text}`),
  };
}

describe('extractive answers: conditions and visits', () => {
  // Paragraphs of one page; the units around the one asked repeat the question's words more.
  const club = pageSource('Aides du centre social de Bourg-sur-Loue', [
    [
      'Aide aux vacances des enfants',
      [
        'Pour qui : familles dont le quotient familial est inférieur ou égal à 650, pour un séjour agréé.',
        'Montant : 80 € par enfant et par séjour.',
        'Cumul : l’aide aux vacances des enfants s’ajoute à l’aide aux vacances de la caisse de retraite.',
        'Demande : l’aide aux vacances des enfants se demande à l’accueil, avant le départ des enfants.',
        'Versement : l’aide aux vacances des enfants est versée à l’organisme du séjour des enfants.',
      ].join('\n\n'),
    ],
    [
      'Permanences',
      [
        'Le centre social reçoit le public le mardi et le jeudi de 14h à 17h, 4 place du Marché.',
        'La demande d’aide des familles est étudiée par le centre social sous 15 jours.',
        'Le centre social répond aux familles sous 8 jours après la demande d’aide.',
        'Une aide des familles du centre social est versée chaque mois.',
        'Le centre social rappelle les familles 2 jours avant un rendez-vous d’aide.',
      ].join('\n\n'),
    ],
  ]);

  it('a question on an amount and its condition gets both', () => {
    const answer = body(
      extractAnswer(
        [club],
        'Quel est le montant de l’aide aux vacances des enfants, et à quelle condition ?',
      ),
    );
    expect(answer).toContain('80 € par enfant');
    expect(answer).toContain('inférieur ou égal à 650');
  });

  it('"when can I come" is answered by the days and hours', () => {
    const answer = body(
      extractAnswer([club], 'Quand peut-on venir au centre social pour une aide des familles ?'),
    );
    expect(answer).toContain('le mardi et le jeudi de 14h à 17h');
  });
});
