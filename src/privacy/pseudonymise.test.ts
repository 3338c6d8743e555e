import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { createStreamRestorer, Pseudonymiser } from './pseudonymise.js';

const INPUT =
  'Mme Gwenaëlle Rousselot (née le 12/03/1985) joignable au 06 12 34 56 78, NIR 1 85 05 78 006 084 91, ' +
  'mail g.rousselot@exemple.fr, IBAN FR76 3000 6000 0112 3456 7890 189.';

describe('Pseudonymiser', () => {
  it('replaces values with stable French placeholders and restores them', () => {
    const p = new Pseudonymiser();
    const out = p.pseudonymise(INPUT);
    expect(out).toBe(
      'Mme [PERSONNE_1] (née le [DATE_NAISSANCE_1]) joignable au [TELEPHONE_1], NIR [NIR_1], ' +
        'mail [EMAIL_1], IBAN [IBAN_1].',
    );
    expect(out).not.toMatch(/Rousselot|06 12|1 85 05|exemple\.fr|FR76/);
    expect(p.restore(out)).toEqual({ text: INPUT, unknownPlaceholders: [] });
  });

  it('maps spellings of one value to one placeholder within the conversation', () => {
    const p = new Pseudonymiser();
    expect(p.pseudonymise('Tél. 06 12 34 56 78')).toBe('Tél. [TELEPHONE_1]');
    expect(p.pseudonymise('ou 0612345678, ou +33 6 12 34 56 78, et 07 98 76 54 32')).toBe(
      'ou [TELEPHONE_1], ou [TELEPHONE_1], et [TELEPHONE_2]',
    );
    expect(p.pseudonymise('Mme ROUSSELOT puis Mme Rousselot')).toBe('Mme [PERSONNE_1] puis Mme [PERSONNE_1]');
  });

  it('leaves invented placeholders in place and reports them', () => {
    const p = new Pseudonymiser();
    p.pseudonymise('M. Anatole Pasquier');
    const r = p.restore('[PERSONNE_1] et [PERSONNE_9], [NIR_2]');
    expect(r.text).toBe('Anatole Pasquier et [PERSONNE_9], [NIR_2]');
    expect(r.unknownPlaceholders.sort()).toEqual(['[NIR_2]', '[PERSONNE_9]']);
  });

  it('never restores a placeholder the user typed into someone else’s data', () => {
    const p = new Pseudonymiser();
    // Typed before anything was issued: reserved, numbering goes around it.
    const first = p.pseudonymise('Que signifie [PERSONNE_1] ? Il s’agit de M. Anatole Pasquier.');
    expect(first).toBe('Que signifie [PERSONNE_1] ? Il s’agit de M. [PERSONNE_2].');
    expect(p.restore(first)).toEqual({
      text: 'Que signifie [PERSONNE_1] ? Il s’agit de M. Anatole Pasquier.',
      unknownPlaceholders: [],
    });
    // Typed after [PERSONNE_2] was issued: swapped for a token that restores to the literal text.
    const second = p.pseudonymise('Et [PERSONNE_2] ?');
    expect(second).not.toContain('[PERSONNE_2]');
    expect(p.restore(second).text).toBe('Et [PERSONNE_2] ?');
    expect(p.restore('[PERSONNE_2]').text).toBe('Anatole Pasquier');
  });

  it('does not expose values through JSON or inspection', () => {
    const p = new Pseudonymiser();
    p.pseudonymise(INPUT);
    const json = JSON.stringify(p);
    const shown = inspect(p, { showHidden: true, depth: 5 });
    for (const leak of ['Rousselot', '0612345678', '06 12', 'exemple.fr', 'FR76']) {
      expect(json).not.toContain(leak);
      expect(shown).not.toContain(leak);
    }
    expect(p.toJSON().placeholders).toBe(6);
    expect(p.toJSON().byType.PERSONNE).toBe(1);
  });

  it('tolerates bad input', () => {
    const p = new Pseudonymiser();
    expect(p.pseudonymise(undefined as unknown as string)).toBe('');
    expect(p.restore(null as unknown as string)).toEqual({ text: '', unknownPlaceholders: [] });
  });
});

describe('createStreamRestorer', () => {
  const p = new Pseudonymiser();
  const masked = p.pseudonymise(INPUT);
  const modelAnswer = `Bonjour, ${masked} [PERSONNE_7] [fin] [`;
  const expected = `Bonjour, ${INPUT} [PERSONNE_7] [fin] [`;

  it('restores identically for every split position (two chunks)', () => {
    for (let k = 0; k <= modelAnswer.length; k++) {
      const s = createStreamRestorer(p);
      const got = s.push(modelAnswer.slice(0, k)) + s.push(modelAnswer.slice(k)) + s.flush();
      expect(got, `split at ${k}`).toBe(expected);
      expect(s.unknownPlaceholders()).toEqual(['[PERSONNE_7]']);
    }
  });

  it('restores one character at a time and holds back only a possible placeholder', () => {
    const s = createStreamRestorer(p);
    let got = '';
    for (const ch of modelAnswer) got += s.push(ch);
    expect(got + s.flush()).toBe(expected);
    const t = createStreamRestorer(p);
    expect(t.push('Voici [PERS')).toBe('Voici ');
    expect(t.push('ONNE_1] et [x')).toBe('Gwenaëlle Rousselot et [x');
    expect(t.push('[NIR_')).toBe('');
    expect(t.flush()).toBe('[NIR_');
  });
});
