import { describe, expect, it } from 'vitest';
import { jsonTooDeep } from '../../../shared/json-depth.js';
import { nestedHtml, nestedJson } from '../../../../test/hostile/fixtures.js';
import { limitHtmlDepth } from './html-depth.js';
import { htmlToParsed } from './html.js';

describe('limitHtmlDepth', () => {
  it('leaves ordinary pages unchanged', () => {
    const page =
      '<html><body><main><ul><li>a<li>b</ul><p>x<p>y<table><tr><td>1<td>2</table><script>if (a<b) {"<div>"}</script></main></body></html>';
    expect(limitHtmlDepth(page)).toBe(page);
  });

  it('drops the tags below the limit, keeps their text and the closing tags of kept elements', () => {
    expect(limitHtmlDepth('<div><div><div>a</div>b</div></div>', 2)).toBe('<div><div> a b</div></div>');
  });

  it('makes 100,000 nested divs a shallow page in linear time; the text survives parsing', () => {
    const t = performance.now();
    const parsed = htmlToParsed(nestedHtml(100_000).toString(), 'x.html', {});
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(parsed.markdown).toContain('La mairie est ouverte le lundi');
  });
});

describe('jsonTooDeep', () => {
  it('counts nesting outside strings only', () => {
    expect(jsonTooDeep(nestedJson(64).toString())).toBe(false);
    expect(jsonTooDeep(nestedJson(65).toString())).toBe(true);
    expect(jsonTooDeep(JSON.stringify({ a: '[[[[[[['.repeat(100), b: '\\"{{{{' }))).toBe(false);
  });
});
