import { describe, expect, it } from 'vitest';
import { outOfScopeKind } from './scope.js';

describe('outOfScopeKind', () => {
  it.each([
    ['Il va pleuvoir ? quelle météo pour samedi à Brest', 'météo'],
    ['quel temps fera-t-il ce week-end', 'météo'],
    ['qui a gagné le match de rugby hier', 'sport'],
    ['le tram 3 passe à quelle heure à Bordeaux', 'transports'],
    ['quelle séance de cinéma ce soir à Metz', 'spectacles'],
    ["horaires d'ouverture de la CPAM de Quimper le samedi", 'horaires locaux'],
  ])('flags « %s » as %s', (q, kind) => {
    expect(outOfScopeKind(q)).toBe(kind);
  });

  it.each([
    "je viens d'emménager à Rennes, je dois prévenir la CPAM ?",
    'comment refaire ma carte grise après un vol',
    "horaires d'ouverture des déchetteries : qui les fixe ?",
    'mon fils a 20 ans, il est à la fac, je peux le compter sur ma déclaration ?',
    "j'ai un match de foot avec mon association, faut-il une assurance ?",
  ])('keeps « %s »', (q) => {
    expect(outOfScopeKind(q)).toBeNull();
  });
});
