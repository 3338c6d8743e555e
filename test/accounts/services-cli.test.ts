/**
 * `guichet services …` and `guichet users … --service` through the real command, on a SQLite data
 * folder: French lines on stdout, one French line and a non-zero exit on bad input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'guichet-services-cli-'));
const env = { GUICHET_DATA_DIR: dir };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ok = (args: string[]) => {
  const r = runCli(args, env);
  expect(r.status, `${args.join(' ')} : ${r.stderr}`).toBe(0);
  return r.stdout;
};
const fails = (args: string[], message: RegExp) => {
  const r = runCli(args, env);
  expect(r.status, args.join(' ')).not.toBe(0);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
};

describe('guichet services', () => {
  it('adds, lists, renames, pilots, exports and deletes services; attaches people', () => {
    ok(['orgs', 'create', '--name', 'Mairie de Test', '--id', 'mairie']);
    expect(
      ok(['services', 'add', '--org', 'mairie', '--name', 'Accueil', '--pilot-since', '2026-11-02']),
    ).toMatch(/^Service créé : svc_\w+ \(Accueil\)/);
    fails(['services', 'add', '--org', 'mairie', '--name', 'accueil'], /existe déjà/);
    fails(
      ['services', 'add', '--org', 'mairie', '--name', 'X', '--pilot-since', '02/11/2026'],
      /Date invalide/,
    );
    fails(['services', 'add', '--org', 'inconnue', '--name', 'X'], /Organisation introuvable/);
    expect(
      ok(['users', 'add', '--org', 'mairie', '--email', 'agent@mairie.fr', '--service', 'accueil']),
    ).toContain('service Accueil');
    fails(
      ['users', 'add', '--org', 'mairie', '--email', 'b@mairie.fr', '--service', 'Juridique'],
      /Service introuvable/,
    );
    ok(['services', 'rename', 'Accueil', '--org', 'mairie', '--name', 'Accueil central']);
    const list = ok(['services', 'list', '--org', 'mairie']);
    expect(list).toMatch(/Accueil central\t1 personne\(s\)\tpilote depuis le 2026-11-02/);
    expect(ok(['users', 'list', '--org', 'mairie'])).toMatch(/agent@mairie\.fr\tagent\t.*\tAccueil central/);
    expect(ok(['services', 'pilot', '--org', 'mairie', '--since', '2026-11-09'])).toContain(
      'en mode pilote depuis le 2026-11-09',
    );
    expect(ok(['services', 'list', '--org', 'mairie'])).toMatch(
      /^Organisation en mode pilote depuis le 2026-11-09/,
    );
    const csv = ok([
      'services',
      'pilot-export',
      '--org',
      'mairie',
      '--from',
      '2026-11-09',
      '--to',
      '2026-11-15',
    ]);
    expect(csv.replace(/^\ufeff/, '').split('\r\n')[0]).toMatch(/^Semaine;Début;Questions;/);
    expect(csv).toContain('Total;2026-11-09 au 2026-11-15;0;');
    expect(ok(['users', 'set-service', '--org', 'mairie', '--email', 'agent@mairie.fr'])).toContain(
      'aucun service',
    );
    ok(['services', 'delete', 'Accueil central', '--org', 'mairie']);
    expect(ok(['services', 'list', '--org', 'mairie'])).not.toContain('Accueil');
    fails(['services', 'delete', 'Accueil central', '--org', 'mairie'], /Service introuvable/);
  }, 180_000);
});
