import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid, nirValid, sirenValid, siretValid, taxIdValid } from './checksums.js';

describe('check digits', () => {
  it('NIR: key = 97 − (13 digits mod 97), Corsica 2A/2B as 19/18', () => {
    expect(nirValid('168046959664460')).toBe(true);
    expect(nirValid('138032A35223421')).toBe(true);
    expect(nirValid('175092B11520340')).toBe(true);
    expect(nirValid('168046959664461')).toBe(false); // wrong key
    expect(nirValid('368046959664460')).toBe(false); // sex 3
    expect(nirValid('168136959664460')).toBe(false); // month 13
  });

  it('IBAN: mod-97 = 1', () => {
    expect(ibanValid('FR7630006000011234567890189')).toBe(true);
    expect(ibanValid('FR7630006000011234567890188')).toBe(false);
    expect(ibanValid('FR4930003600797626926072083')).toBe(false);
  });

  it('SIREN / SIRET: Luhn, and the La Poste exception', () => {
    expect(luhnValid('732829320')).toBe(true);
    expect(sirenValid('980470108')).toBe(true);
    expect(sirenValid('123456780')).toBe(false);
    expect(siretValid('23135461400019')).toBe(true);
    expect(siretValid('42266124900052')).toBe(false);
    expect(siretValid('35600000000056')).toBe(true); // La Poste: digit sum 25, Luhn invalid
    expect(siretValid('35600000000057')).toBe(false);
    expect(luhnValid('35600000000056')).toBe(false);
  });

  it('numéro fiscal: last three = first ten mod 511, first digit 0–3', () => {
    expect(taxIdValid('1951394257232')).toBe(true);
    expect(taxIdValid('1596185446282')).toBe(false);
    expect(taxIdValid('4951394257232')).toBe(false);
  });
});
