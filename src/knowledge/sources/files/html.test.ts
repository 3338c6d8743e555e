import { describe, expect, it } from 'vitest';
import { parseFile } from './index.js';

const page = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Cantine scolaire | Ville d'Exemple</title>
<script>window.cookieConsent = { init: true };</script><style>.x{color:red}</style></head>
<body>
<div id="cookie-banner"><p>Ce site utilise des cookies. Accepter ?</p></div>
<header><a href="/">Ville d'Exemple</a><nav><ul><li><a href="/agenda">Agenda des sorties</a></li></ul></nav></header>
<main><article>
<h1>Cantine scolaire</h1>
<p>La restauration scolaire accueille les enfants des écoles maternelles et élémentaires de la commune, chaque jour d'école.
Les menus sont élaborés par une diététicienne et affichés à l'entrée des écoles.</p>
<h2>Tarifs</h2>
<table><thead><tr><th>Tranche</th><th>Prix du repas</th></tr></thead>
<tbody><tr><td>QF 1</td><td>1,10 €</td></tr><tr><td>QF 2</td><td>2,35 €</td></tr></tbody></table>
<h2>Inscription</h2>
<p>Inscription au <a href="tel:+33200000000">02 00 00 00 00</a> ou sur le <a href="https://exemple.fr/portail">portail famille</a>.</p>
</article>
<aside class="sidebar"><h2>Liens utiles</h2><p>Voir aussi la piscine municipale.</p></aside>
</main>
<footer><p>Mentions légales – Plan du site</p></footer>
<script src="/app.js"></script>
</body></html>`;

describe('HTML parser', () => {
  it('keeps the main content as Markdown, without navigation, footer, sidebar or cookie banner', async () => {
    const parsed = await parseFile({ bytes: Buffer.from(page), fileName: 'cantine.html' });
    expect(parsed.format).toBe('html');
    expect(parsed.title).toBe('Cantine scolaire');
    const md = parsed.markdown;
    for (const noise of [
      'cookies',
      'Agenda des sorties',
      'Mentions légales',
      'piscine',
      'cookieConsent',
      'color:red',
    ]) {
      expect(md).not.toContain(noise);
    }
    expect(md).toContain('| Tranche | Prix du repas |\n| --- | --- |\n| QF 1 | 1,10 € |\n| QF 2 | 2,35 € |');
    expect(md).toContain('## Tarifs');
    expect(md).toContain(
      'Inscription au 02 00 00 00 00 ou sur le [portail famille](https://exemple.fr/portail).',
    );
    const table = parsed.sections.find((s) => s.markdown.includes('| QF 2 | 2,35 € |'));
    expect(table?.atomic).toBe(true);
  });

  it('falls back to the body of a page without <main>', async () => {
    const parsed = await parseFile({
      bytes: Buffer.from('<html><body><nav>Menu</nav><h2>Avis</h2><p>Travaux rue Haute.</p></body></html>'),
      fileName: 'avis.htm',
    });
    expect(parsed.markdown).toContain('Travaux rue Haute.');
    expect(parsed.markdown).not.toContain('Menu');
  });
});
