import { describe, expect, it } from 'vitest';
import { parseFile } from './index.js';
import { MAX_SECTION } from './sections.js';

const para = (s: string) => `${s} `.repeat(30).trim();

describe('Markdown parser', () => {
  it('uses the heading stack as path and the lone H1 as title', async () => {
    const md = [
      '# Guide des démarches',
      '',
      '## État civil',
      '',
      para('Les actes sont délivrés gratuitement.'),
      '',
      '### Naissance',
      '',
      para('La déclaration se fait dans les 5 jours.'),
      '',
      '## Urbanisme',
      '',
      para('Le permis de construire est instruit en deux mois.'),
    ].join('\n');
    const parsed = await parseFile({ bytes: Buffer.from(md), fileName: 'guide.md' });
    expect(parsed.title).toBe('Guide des démarches');
    expect(parsed.sections.map((s) => s.path)).toEqual([
      ['État civil'],
      ['État civil', 'Naissance'],
      ['Urbanisme'],
    ]);
    expect(parsed.sections[1].markdown).toMatch(/^La déclaration se fait dans les 5 jours\./);
  });

  it('merges small neighbouring sections, writing the headings they no longer share inline', async () => {
    const md = '# T\n\n## A\n\nCourt texte A.\n\n## B\n\nCourt texte B.\n';
    const parsed = await parseFile({ bytes: Buffer.from(md), fileName: 't.md' });
    expect(parsed.sections).toEqual([
      { path: [], markdown: '## A\n\nCourt texte A.\n\n## B\n\nCourt texte B.' },
    ]);
  });

  it('writes a shared heading only once when merging nested sections', async () => {
    const md = '# T\n\nIntro.\n\n## A\n\nTexte A.\n\n### A1\n\nTexte A1.\n\n## B\n\nTexte B.\n';
    const parsed = await parseFile({ bytes: Buffer.from(md), fileName: 't.md' });
    expect(parsed.sections).toEqual([
      { path: [], markdown: 'Intro.\n\n## A\n\nTexte A.\n\n### A1\n\nTexte A1.\n\n## B\n\nTexte B.' },
    ]);
  });

  it('cuts a long table into atomic row groups that each repeat the header, never splitting a row', async () => {
    const rows = Array.from(
      { length: 80 },
      (_, i) => `| Rue numéro ${i + 1} | Secteur ${i % 4} | collecte le ${['lundi', 'mardi'][i % 2]} |`,
    );
    const md = [
      '# Environnement',
      '',
      '## Collecte des déchets',
      '',
      '| Rue | Secteur | Jour |',
      '|---|---|---|',
      ...rows,
    ].join('\n');
    const parsed = await parseFile({ bytes: Buffer.from(md), fileName: 'collecte.md' });
    expect(parsed.sections.length).toBeGreaterThanOrEqual(3);
    for (const s of parsed.sections) {
      expect(s.atomic).toBe(true);
      expect(s.path).toEqual(['Collecte des déchets']);
      expect(s.markdown.length).toBeLessThanOrEqual(MAX_SECTION);
      expect(s.markdown.startsWith('| Rue | Secteur | Jour |\n| --- | --- | --- |\n')).toBe(true);
    }
    const all = parsed.sections.map((s) => s.markdown).join('\n');
    for (let i = 1; i <= 80; i++) expect(all).toContain(`| Rue numéro ${i} | Secteur ${(i - 1) % 4} |`);
  });

  it('keeps list items whole when a long section is cut', async () => {
    const items = Array.from(
      { length: 30 },
      (_, i) => `- pièce ${i + 1} : ${'justificatif détaillé '.repeat(5).trim()} ;`,
    );
    const parsed = await parseFile({
      bytes: Buffer.from(`## Pièces\n\n${items.join('\n')}\n`),
      fileName: 'p.md',
    });
    expect(parsed.sections.length).toBeGreaterThan(1);
    const all = parsed.sections.map((s) => s.markdown.split('\n')).flat();
    expect(all.filter((l) => l.startsWith('- pièce'))).toHaveLength(30);
  });
});
