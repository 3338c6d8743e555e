import { describe, expect, it } from 'vitest';
import { buildGroundedMessages } from './prompt.js';
import type { Source } from './sources.js';

const source = (index: number, passages: string[]): Source => ({
  index,
  id: `doc_${index}`,
  externalId: `F${index}`,
  title: `Fiche ${index}`,
  url: `https://www.service-public.fr/particuliers/vosdroits/F${index}`,
  collection: 'service-public',
  collectionName: 'Service-Public.fr',
  local: false,
  date: null,
  stale: false,
  passages,
});

describe('sources given to a generative model', () => {
  it('name the situations a fiche distinguishes, not its chapters', () => {
    const [system] = buildGroundedMessages(
      [{ role: 'user', content: 'Quel est le montant du Smic ?' }],
      [
        source(1, [
          '(Cas général › Montant) Le Smic horaire brut est de 11,65 €.',
          '(À Mayotte › Montant) Le Smic horaire brut est de 8,80 €.',
        ]),
        source(2, ['(Conditions) Vous devez résider en France.', '(Démarche) La demande se fait en ligne.']),
      ],
    );
    expect(system.content).toContain(
      '[1] Fiche 1\nURL : https://www.service-public.fr/particuliers/vosdroits/F1\nSituations distinguées : Cas général ; À Mayotte\n',
    );
    expect(system.content).not.toMatch(/Situations distinguées : Conditions/);
    expect(system.content).toContain('présente les cas possibles');
  });
});
