import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';

/** Parses argv with the real program and returns what commander wrote on stderr. */
async function errorOf(args: string[]): Promise<string> {
  const argv = ['node', 'guichet', ...args];
  let err = '';
  const program = await buildProgram(argv, { writeErr: (s) => (err += s), writeOut: (s) => (err += s) });
  await program.parseAsync(argv).catch(() => undefined);
  return err;
}

describe('commander speaks French', () => {
  it('translates every usage error shape commander produces', async () => {
    expect(await errorOf(['search'])).toMatch(/^Erreur : argument obligatoire manquant : « question »\./);
    expect(await errorOf(['search', 'x', '--k'])).toMatch(/^Erreur : l'option --k <n> attend une valeur\./);
    expect(await errorOf(['search', 'a', 'b'])).toMatch(
      /^Erreur : trop d'arguments pour « search » : 1 attendu, 2 reçus\./,
    );
    expect(await errorOf(['search', 'x', '--bogus'])).toMatch(/^Erreur : option inconnue : --bogus\./);
    expect(await errorOf(['documents', 'add', 'x'])).toMatch(
      /^Erreur : option obligatoire manquante : --collection <id>\./,
    );
    const typo = await errorOf(['serch']);
    expect(typo).toMatch(/^Erreur : commande inconnue : « serch »\./);
    expect(typo).toContain('(vouliez-vous dire search ?)');
  });

  it('writes help headings in French', async () => {
    const help = await errorOf(['keys']);
    expect(help).toMatch(/^Utilisation : guichet keys \[options\] \[commande\]/);
    expect(help).toContain('Commandes :');
    expect(help).not.toMatch(/Usage:|Commands:|Options:/);
    expect(await errorOf(['search', '--help'])).toContain('(défaut : "10")');
  });
});
